package dev.handoff.gateway.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run's egress proxy on its Unix socket: where it lets an agent go, and where not. */
class EgressProxyTest {

    @TempDir
    Path dir;

    @Test
    void onlyPublicAddressesAndTheOperatorsLoopbackPortsAreAllowed() throws Exception {
        Set<Integer> ports = Set.of(11434);
        for (String address : List.of("93.184.215.14", "1.1.1.1", "2606:4700:4700::1111")) {
            assertTrue(EgressProxy.allowed(InetAddress.getByName(address), 443, ports), address);
        }
        assertTrue(EgressProxy.allowed(InetAddress.getByName("127.0.0.1"), 11434, ports));
        for (String address : List.of("127.0.0.1", "127.1.2.3", "::1", "0.0.0.0", "10.1.2.3", "172.16.0.1", "192.168.1.1",
                "169.254.169.254", "100.64.0.1", "224.0.0.1", "255.255.255.255", "fc00::1", "fd12::1", "fe80::1",
                "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "198.18.0.1")) {
            assertFalse(EgressProxy.allowed(InetAddress.getByName(address), 5432, ports), address);
        }
    }

    @Test
    void connectReachesAnAllowedLoopbackPortAndIsRefusedForAnyOther() throws Exception {
        try (ServerSocket echo = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                ServerSocket other = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                EgressProxy proxy = EgressProxy.start(dir.resolve("p.sock"), Set.of(echo.getLocalPort()), "test-proxy")) {
            Thread server = new Thread(() -> {
                try (Socket client = echo.accept()) {
                    byte[] line = client.getInputStream().readNBytes(5);
                    client.getOutputStream().write(("echo " + new String(line, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII));
                } catch (Exception ignored) {
                    // the test fails on its own
                }
            });
            server.start();

            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                channel.connect(UnixDomainSocketAddress.of(proxy.socket()));
                OutputStream out = Channels.newOutputStream(channel);
                out.write(("CONNECT 127.0.0.1:" + echo.getLocalPort() + " HTTP/1.1\r\n\r\nhello").getBytes(StandardCharsets.US_ASCII));
                String answer = read(channel, "echo hello");
                assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
                assertTrue(answer.endsWith("echo hello"), answer);
            }

            for (String target : List.of("127.0.0.1:" + other.getLocalPort(), "localhost:" + other.getLocalPort(), "10.0.0.1:80")) {
                try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    channel.connect(UnixDomainSocketAddress.of(proxy.socket()));
                    Channels.newOutputStream(channel).write(("CONNECT " + target + " HTTP/1.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    String answer = read(channel, null);
                    assertTrue(answer.startsWith("HTTP/1.1 403"), target + ": " + answer);
                }
            }
            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                channel.connect(UnixDomainSocketAddress.of(proxy.socket()));
                Channels.newOutputStream(channel).write(("GET http://127.0.0.1:" + other.getLocalPort() + "/q/health HTTP/1.1\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                assertTrue(read(channel, null).startsWith("HTTP/1.1 403"));
            }
        }
        assertFalse(java.nio.file.Files.exists(dir.resolve("p.sock")), "closing removes the socket");
    }

    private static String read(SocketChannel channel, String until) throws Exception {
        StringBuilder text = new StringBuilder();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline && channel.read(buffer) >= 0) {
            text.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1));
            buffer.clear();
            if (until != null && text.toString().endsWith(until)) {
                break;
            }
        }
        return text.toString();
    }
}
