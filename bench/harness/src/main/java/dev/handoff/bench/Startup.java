package dev.handoff.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Startup to ready, measured from outside: the first {@code 200} of {@code /q/health/ready} (polled every 10 ms),
 * minus the moment the kernel started the process (/proc/&lt;pid&gt;/stat), both in seconds since boot
 * (/proc/uptime), so to about 10 ms. Quarkus's own "started in" figure (which leaves out the JVM's start) is read
 * from the log next to it.
 */
final class Startup {

    private static final Pattern STARTED_IN = Pattern.compile("started in ([0-9.]+)s");

    /** One cold start: seconds from process start to ready, and what Quarkus logged. */
    record Sample(String service, long pid, double seconds, double quarkusSeconds) {
    }

    private Startup() {
    }

    /**
     * Polls until the service answers ready; answers the uptime at that moment. {@code pid} may be unknown (-1)
     * while the process is being started by someone else.
     */
    static double awaitReady(int port, LongSupplier pid, Duration timeout) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean seenAlive = false;
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return Proc.uptime();
                }
            } catch (java.io.IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            long p = pid.getAsLong();
            if (p > 0 && Proc.alive(p)) {
                seenAlive = true;
            } else if (p > 0 && seenAlive) {
                throw new IllegalStateException("the process on port " + port + " exited before it was ready");
            }
            LockSupport.parkNanos(10_000_000L);
        }
        throw new IllegalStateException("nothing ready on port " + port + " within " + timeout.toSeconds() + " s");
    }

    static Sample sample(String service, long pid, double readyUptime, Path log) {
        return new Sample(service, pid, readyUptime - Proc.startedAt(pid), quarkusStartedIn(log));
    }

    static double quarkusStartedIn(Path log) {
        try {
            Matcher m = STARTED_IN.matcher(Files.readString(log));
            double last = Double.NaN;
            while (m.find()) {
                last = Double.parseDouble(m.group(1));
            }
            return last;
        } catch (Exception e) {
            return Double.NaN;
        }
    }
}
