package dev.handoff.gateway.cursor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The wait between calls to Cursor after failures: plain logic, no Quarkus. */
class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofSeconds(15), Duration.ofMinutes(5));

    @Test
    void theWaitDoublesFromThePollIntervalUpToTheMaximum() {
        assertEquals(Duration.ofSeconds(15), backoff.delay(1, null));
        assertEquals(Duration.ofSeconds(30), backoff.delay(2, null));
        assertEquals(Duration.ofSeconds(60), backoff.delay(3, null));
        assertEquals(Duration.ofSeconds(240), backoff.delay(5, null));
        assertEquals(Duration.ofMinutes(5), backoff.delay(6, null));
        assertEquals(Duration.ofMinutes(5), backoff.delay(1_000, null), "no overflow after many failures");
        assertEquals(Duration.ofSeconds(15), backoff.delay(0, null), "never shorter than the poll interval");
    }

    @Test
    void aLongerRetryAfterWinsUpToTheMaximum() {
        assertEquals(Duration.ofSeconds(90), backoff.delay(1, "90"));
        assertEquals(Duration.ofSeconds(30), backoff.delay(2, " 10 "), "a shorter one does not shorten the wait");
        assertEquals(Duration.ofMinutes(5), backoff.delay(1, "86400"));
        assertEquals(Duration.ofMinutes(5), backoff.delay(1, String.valueOf(Long.MAX_VALUE)));
    }

    @Test
    void aRetryAfterThatIsNotSecondsIsIgnored() {
        assertEquals(Duration.ofSeconds(15), backoff.delay(1, "Wed, 21 Oct 2026 07:28:00 GMT"));
        assertEquals(Duration.ofSeconds(30), backoff.delay(2, ""));
        assertEquals(Duration.ofSeconds(15), backoff.delay(1, "-5"));
    }

    @Test
    void aPollIntervalAboveTheMaximumIsCapped() {
        Backoff odd = new Backoff(Duration.ofMinutes(10), Duration.ofMinutes(5));
        assertEquals(Duration.ofMinutes(5), odd.delay(1, null));
    }
}
