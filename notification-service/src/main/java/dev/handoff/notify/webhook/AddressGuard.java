package dev.handoff.notify.webhook;

import jakarta.enterprise.context.ApplicationScoped;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Keeps webhooks away from this service's own network (SSRF): a receiver whose host resolves to a loopback, private,
 * link-local, unspecified or multicast address is refused, unless {@code handoff.webhooks.allow-private}. Checked when
 * a webhook is created and again before every attempt; the attempt then connects to the address that was checked,
 * so a DNS answer that changes in between (rebinding) cannot redirect it. Blocking (DNS): call it off the event loop.
 */
@ApplicationScoped
public class AddressGuard {

    private final boolean allowPrivate;

    public AddressGuard(WebhookConfig config) {
        this.allowPrivate = config.allowPrivate();
    }

    /** The receiver's host refused, or not resolvable. */
    public static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** Resolves {@code host} and returns the address to connect to; every address it resolves to must be allowed. */
    public InetAddress vet(String host) throws Refused {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException | SecurityException e) {
            throw new Refused("host " + host + " does not resolve");
        }
        if (addresses.length == 0) {
            throw new Refused("host " + host + " does not resolve");
        }
        if (!allowPrivate) {
            for (InetAddress address : addresses) {
                if (!isPublic(address)) {
                    throw new Refused("host " + host + " resolves to a loopback, private or link-local address ("
                            + address.getHostAddress() + "); set HANDOFF_WEBHOOK_ALLOW_PRIVATE=true to allow it");
                }
            }
        }
        return addresses[0];
    }

    /** False for loopback, private (RFC 1918, fc00::/7), link-local, unspecified, multicast and similar addresses. */
    public static boolean isPublic(InetAddress address) {
        if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first != 0 // this network
                    && !(first == 100 && second >= 64 && second < 128) // carrier-grade NAT, 100.64/10
                    && !(first == 192 && second == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
                    && !(first == 198 && (second == 18 || second == 19)) // benchmarking
                    && first < 240; // reserved and broadcast
        }
        if (address instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return false; // unique local, fc00::/7
            }
            if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) {
                return false; // deprecated site-local, fec0::/10
            }
            // an IPv4 address carried in IPv6 (IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96): judge the IPv4 one
            boolean compatible = true;
            for (int i = 0; i < 12; i++) {
                compatible &= b[i] == 0;
            }
            boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff
                    && (b[3] & 0xff) == 0x9b;
            for (int i = 4; nat64 && i < 12; i++) {
                nat64 = b[i] == 0;
            }
            if (compatible || nat64) {
                try {
                    return isPublic(InetAddress.getByAddress(new byte[] { b[12], b[13], b[14], b[15] }));
                } catch (UnknownHostException e) {
                    return false;
                }
            }
        }
        return true;
    }
}
