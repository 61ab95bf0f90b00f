package dev.handoff.gateway.sandbox;

import io.quarkus.logging.Log;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One run's way out: an HTTP proxy (CONNECT for TLS, absolute-URI requests for plain HTTP) on a Unix socket that is
 * bound into the run's sandbox, the agent's only route off its empty network namespace. It resolves names itself and
 * connects only to public addresses: loopback, this machine's own addresses, private, link-local, shared and reserved
 * ranges are refused, except loopback ports the operator lists. Closing it cuts every connection of the run.
 */
public final class EgressProxy implements AutoCloseable {

    private static final int MAX_HEAD = 64 * 1024;
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    /** Open sockets (both sides) one run may hold: an agent cannot exhaust the gateway's threads. */
    private static final int MAX_OPEN = 512;

    private final Path socket;
    private final Set<Integer> loopbackPorts;
    private final ServerSocketChannel server;
    private final ExecutorService threads;
    private final Set<SocketChannel> open = Collections.synchronizedSet(new HashSet<>());
    private volatile boolean closed;

    private EgressProxy(Path socket, Set<Integer> loopbackPorts, ServerSocketChannel server, String name) {
        this.socket = socket;
        this.loopbackPorts = Set.copyOf(loopbackPorts);
        this.server = server;
        AtomicInteger count = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Listens on {@code socket} (which must not exist yet) until closed. */
    public static EgressProxy start(Path socket, Set<Integer> loopbackPorts, String name) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        EgressProxy proxy = new EgressProxy(socket, loopbackPorts, server, name);
        proxy.threads.execute(proxy::acceptLoop);
        return proxy;
    }

    public Path socket() {
        return socket;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel client = server.accept();
                if (open.size() >= MAX_OPEN) {
                    Log.infof("egress proxy %s: too many connections, one refused", socket.getFileName());
                    client.close();
                    continue;
                }
                open.add(client);
                threads.execute(() -> serve(client));
            } catch (IOException e) {
                if (!closed) {
                    Log.debugf("egress proxy %s: %s", socket, e.toString());
                }
                return;
            }
        }
    }

    private void serve(SocketChannel client) {
        SocketChannel upstream = null;
        try {
            ByteBuffer head = ByteBuffer.allocate(MAX_HEAD);
            int end = readHead(client, head);
            if (end < 0) {
                reply(client, 400, "Bad Request", "the request head is missing or too long");
                return;
            }
            String text = new String(head.array(), 0, end, StandardCharsets.ISO_8859_1);
            String[] lines = text.split("\r\n");
            String[] request = lines[0].split(" ");
            if (request.length != 3) {
                reply(client, 400, "Bad Request", "not an HTTP proxy request");
                return;
            }
            boolean connect = "CONNECT".equalsIgnoreCase(request[0]);
            Target target = connect ? Target.ofAuthority(request[1]) : Target.ofUri(request[1]);
            if (target == null) {
                reply(client, 400, "Bad Request", "the proxy needs CONNECT host:port or an absolute http:// URI");
                return;
            }
            InetAddress address;
            try {
                address = permitted(target);
            } catch (UnknownHostException e) {
                reply(client, 502, "Bad Gateway", "cannot resolve " + target.host());
                return;
            }
            if (address == null) {
                Log.infof("egress proxy refused %s:%d (loopback, private or this machine's address)", target.host(), target.port());
                reply(client, 403, "Forbidden", "the Handoff sandbox does not let agents reach " + target.host() + ":" + target.port()
                        + " (loopback, private, link-local or this machine's address)");
                return;
            }
            upstream = SocketChannel.open();
            open.add(upstream);
            try {
                upstream.socket().connect(new InetSocketAddress(address, target.port()), CONNECT_TIMEOUT_MS);
            } catch (IOException e) {
                reply(client, 502, "Bad Gateway", "cannot connect to " + target.host() + ":" + target.port());
                return;
            }
            ByteBuffer rest = ByteBuffer.wrap(head.array(), end + 4, head.position() - end - 4);
            if (connect) {
                write(client, "HTTP/1.1 200 Connection Established\r\n\r\n");
            } else {
                write(upstream, originRequest(request, target, lines));
            }
            while (rest.hasRemaining()) {
                upstream.write(rest);
            }
            SocketChannel up = upstream;
            threads.execute(() -> pump(client, up));
            pump(up, client);
        } catch (IOException e) {
            Log.debugf("egress proxy connection: %s", e.toString());
        } finally {
            closeQuietly(client);
            if (upstream != null) {
                closeQuietly(upstream);
            }
        }
    }

    /** Reads until the blank line that ends the head; answers its offset, or -1. */
    private static int readHead(SocketChannel client, ByteBuffer head) throws IOException {
        int scanned = 0;
        while (head.hasRemaining()) {
            if (client.read(head) < 0) {
                return -1;
            }
            byte[] bytes = head.array();
            for (int i = Math.max(0, scanned - 3); i + 3 < head.position(); i++) {
                if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') {
                    return i;
                }
            }
            scanned = head.position();
        }
        return -1;
    }

    /** The request for the origin server: origin-form target, no proxy headers, one request per connection. */
    private static String originRequest(String[] request, Target target, String[] lines) {
        StringBuilder out = new StringBuilder(request[0]).append(' ').append(target.path()).append(' ').append(request[2]).append("\r\n");
        for (int i = 1; i < lines.length; i++) {
            String name = lines[i].contains(":") ? lines[i].substring(0, lines[i].indexOf(':')).strip().toLowerCase(Locale.ROOT) : "";
            if (!name.startsWith("proxy-") && !name.equals("connection") && !name.equals("keep-alive") && !lines[i].isEmpty()) {
                out.append(lines[i]).append("\r\n");
            }
        }
        return out.append("Connection: close\r\n\r\n").toString();
    }

    private void pump(SocketChannel from, SocketChannel to) {
        ByteBuffer buffer = ByteBuffer.allocate(32 * 1024);
        try {
            while (from.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    to.write(buffer);
                }
                buffer.clear();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /**
     * The address to connect to for this target, or null when it may not be reached: only addresses that are public,
     * or loopback with a port the operator allowed.
     */
    InetAddress permitted(Target target) throws UnknownHostException {
        for (InetAddress address : InetAddress.getAllByName(target.host())) {
            if (allowed(address, target.port(), loopbackPorts)) {
                return address;
            }
        }
        return null;
    }

    static boolean allowed(InetAddress address, int port, Set<Integer> loopbackPorts) {
        if (address.isLoopbackAddress()) {
            return loopbackPorts.contains(port);
        }
        if (address.isAnyLocalAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress()
                || address.isMulticastAddress() || ownAddresses().contains(address)) {
            return false;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return false; // fc00::/7 unique local
            }
            if (b[0] == 0x00 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b) {
                return false; // 64:ff9b::/96 NAT64 could carry any IPv4 address
            }
            boolean v4Compatible = true;
            for (int i = 0; i < 12; i++) {
                v4Compatible &= b[i] == 0 || (i >= 10 && b[i] == (byte) 0xff);
            }
            if (v4Compatible) {
                return false; // ::a.b.c.d and ::ffff:a.b.c.d, whatever they embed
            }
            return (b[0] & 0xe0) == 0x20; // only global unicast 2000::/3
        }
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return !(first == 0 || first >= 224 // this network, multicast, reserved, broadcast
                    || (first == 100 && second >= 64 && second < 128) // shared address space (carrier NAT)
                    || (first == 192 && second == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
                    || (first == 198 && (second == 18 || second == 19))); // benchmarking
        }
        return false;
    }

    /** This machine's own addresses: a service listening on all interfaces is as private as one on loopback. */
    private static Set<InetAddress> ownAddresses() {
        Set<InetAddress> own = new HashSet<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                own.addAll(Collections.list(nic.getInetAddresses()));
            }
        } catch (SocketException e) {
            Log.debugf("listing this machine's addresses: %s", e.toString());
        }
        return own;
    }

    private static void reply(SocketChannel client, int status, String reason, String message) throws IOException {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        write(client, "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n");
        ByteBuffer buffer = ByteBuffer.wrap(body);
        while (buffer.hasRemaining()) {
            client.write(buffer);
        }
    }

    private static void write(SocketChannel channel, String text) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private void closeQuietly(SocketChannel channel) {
        open.remove(channel);
        try {
            channel.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        List<SocketChannel> all;
        synchronized (open) {
            all = new ArrayList<>(open);
        }
        all.forEach(this::closeQuietly);
        threads.shutdownNow();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // a stale socket file is harmless
        }
    }

    /** Where a request goes. */
    record Target(String host, int port, String path) {

        static Target ofAuthority(String authority) {
            int colon = authority.lastIndexOf(':');
            if (colon <= 0 || colon == authority.length() - 1) {
                return null;
            }
            String host = authority.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                int port = Integer.parseInt(authority.substring(colon + 1));
                return port > 0 && port < 65536 && !host.isEmpty() ? new Target(host, port, "") : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }

        static Target ofUri(String uri) {
            try {
                URI parsed = new URI(uri);
                if (!"http".equalsIgnoreCase(parsed.getScheme()) || parsed.getHost() == null) {
                    return null;
                }
                String host = parsed.getHost();
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);
                }
                String path = parsed.getRawPath() == null || parsed.getRawPath().isEmpty() ? "/" : parsed.getRawPath();
                if (parsed.getRawQuery() != null) {
                    path += "?" + parsed.getRawQuery();
                }
                return new Target(host, parsed.getPort() < 0 ? 80 : parsed.getPort(), path);
            } catch (URISyntaxException e) {
                return null;
            }
        }
    }
}
