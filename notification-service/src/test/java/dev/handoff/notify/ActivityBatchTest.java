package dev.handoff.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.handoff.events.RunActivity;
import dev.handoff.events.RunActivity.Entry;
import dev.handoff.notify.ActivityBatch.SeqRange;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ActivityBatchTest {

    private static final Instant AT = Instant.parse("2026-12-01T10:15:30.123Z");

    @Test
    void entriesAreSortedAndEachSeqKeptOnceTheFirstWinning() {
        RunActivity event = event(List.of(entry(3, "c"), entry(1, "a"), entry(3, "again"), entry(2, "b")));
        assertEquals(List.of(entry(1, "a"), entry(2, "b"), entry(3, "c")), ActivityBatch.entries(event));
    }

    @Test
    void aBatchNoClientCouldBeShownIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ActivityBatch.entries(event(List.of())));
        assertThrows(IllegalArgumentException.class, () -> ActivityBatch.entries(event(List.of(entry(0, "x")))));
        assertThrows(IllegalArgumentException.class,
                () -> ActivityBatch.entries(event(List.of(new Entry(1, null, "log", "x")))));
        assertThrows(IllegalArgumentException.class,
                () -> ActivityBatch.entries(event(List.of(new Entry(1, AT, " ", "x")))));
        assertThrows(IllegalArgumentException.class,
                () -> ActivityBatch.entries(event(List.of(new Entry(1, AT, "log", null)))));
    }

    @Test
    void aNewBatchIsOneGroup() {
        List<Entry> entries = range(101, 200);
        assertEquals(List.of(entries), ActivityBatch.unstored(entries, List.of(new SeqRange(1, 100))));
    }

    @Test
    void aRedeliveredBatchAddsNothingAndAnOverlappingOneOnlyTheRest() {
        List<SeqRange> stored = List.of(new SeqRange(1, 100));
        assertEquals(List.of(), ActivityBatch.unstored(range(1, 100), stored));
        assertEquals(List.of(), ActivityBatch.unstored(range(20, 29), stored));
        assertEquals(List.of(range(101, 150)), ActivityBatch.unstored(range(51, 150), stored));
    }

    @Test
    void aBatchAroundAStoredRangeBecomesTwoRowsThatDoNotOverlapIt() {
        // 101-200 arrived before 1-300 (not the gateway's order, but nothing may appear twice even then)
        List<SeqRange> stored = List.of(new SeqRange(101, 200));
        assertEquals(List.of(range(1, 100), range(201, 300)), ActivityBatch.unstored(range(1, 300), stored));
    }

    private static List<Entry> range(long first, long last) {
        return LongStream.rangeClosed(first, last).mapToObj(seq -> entry(seq, "line " + seq)).toList();
    }

    private static Entry entry(long seq, String text) {
        return new Entry(seq, AT, "log", text);
    }

    private static RunActivity event(List<Entry> entries) {
        return new RunActivity(UUID.randomUUID(), AT, "acme", UUID.randomUUID(), UUID.randomUUID(), "local", entries);
    }
}
