package dev.handoff.bench;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * An open-loop load: request i is due at start + i / rate, whatever happened to the earlier ones, and its latency is
 * measured from the moment it was due (not from when it was sent), so a stalled server or a lagging sender shows in
 * the figures instead of hiding in fewer requests (no coordinated omission).
 */
final class OpenLoop {

    /** Sends request {@code index}, due at {@code dueNanos}. */
    interface Fire {
        CompletionStage<Http.Reply> fire(int index, long dueNanos);
    }

    /** What a round did: its samples and the sender's worst lag behind the schedule. */
    record Result(Samples samples, long maxLagNanos, double seconds) {
    }

    private OpenLoop() {
    }

    static Result run(String name, double perSecond, int count, Fire fire, Predicate<Http.Reply> ok, Duration drain) {
        Samples samples = new Samples(name, count);
        CountDownLatch done = new CountDownLatch(count);
        AtomicLong maxLag = new AtomicLong();
        long period = (long) (1e9 / perSecond);
        long start = System.nanoTime() + 20_000_000L;
        for (int i = 0; i < count; i++) {
            long due = start + i * period;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            maxLag.accumulateAndGet(System.nanoTime() - due, Math::max);
            int index = i;
            CompletionStage<Http.Reply> answer;
            try {
                answer = fire.fire(index, due);
            } catch (RuntimeException e) {
                samples.fail(index, "not sent: " + e.getClass().getSimpleName());
                done.countDown();
                continue;
            }
            answer.whenComplete((reply, failure) -> {
                long latency = (reply != null ? reply.arrivedNanos() : System.nanoTime()) - due;
                if (failure != null) {
                    samples.fail(index, "I/O: " + rootCause(failure));
                } else if (ok.test(reply)) {
                    samples.record(index, latency);
                } else {
                    samples.fail(index, reply.kind());
                }
                done.countDown();
            });
        }
        try {
            done.await(drain.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        samples.missing("no answer within " + drain.toSeconds() + " s");
        return new Result(samples, maxLag.get(), (System.nanoTime() - start) / 1e9);
    }

    static String rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? "" : ": " + cause.getMessage();
        return cause.getClass().getSimpleName() + (message.length() > 80 ? message.substring(0, 80) : message);
    }
}
