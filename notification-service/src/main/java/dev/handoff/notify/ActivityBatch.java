package dev.handoff.notify;

import dev.handoff.events.RunActivity;
import dev.handoff.events.RunActivity.Entry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The rules for storing a run's activity: each entry (run, seq) once, whatever the redeliveries and overlapping
 * batches, and stored batches whose seq ranges never overlap (so a page can be read from the first few rows whose
 * range ends after its cursor).
 */
public final class ActivityBatch {

    /** The seq range of one stored batch row. */
    public record SeqRange(long first, long last) {
    }

    /**
     * The event's entries in seq order, one per seq (the first wins), made storable: PostgreSQL's jsonb has no NUL
     * character, so an agent that printed one gets U+FFFD instead. Refuses (so dead-letters) a batch that no client
     * could be shown: no entries, or an entry without a positive seq, a time, a kind or a text.
     */
    public static List<Entry> entries(RunActivity event) {
        if (event.entries() == null || event.entries().isEmpty()) {
            throw new IllegalArgumentException("RunActivity " + event.eventId() + " has no entries");
        }
        List<Entry> sorted = new ArrayList<>(event.entries().size());
        for (Entry entry : event.entries()) {
            if (entry == null || entry.seq() < 1 || entry.at() == null || entry.kind() == null || entry.kind().isBlank()
                    || entry.text() == null) {
                throw new IllegalArgumentException("RunActivity " + event.eventId()
                        + " has an entry without a positive seq, a time, a kind or a text");
            }
            sorted.add(new Entry(entry.seq(), entry.at(), storable(entry.kind()), storable(entry.text())));
        }
        sorted.sort(Comparator.comparingLong(Entry::seq));
        List<Entry> unique = new ArrayList<>(sorted.size());
        for (Entry entry : sorted) {
            if (unique.isEmpty() || unique.get(unique.size() - 1).seq() != entry.seq()) {
                unique.add(entry);
            }
        }
        return unique;
    }

    /**
     * What of {@code entries} (in seq order, one per seq) is not yet stored, given the stored ranges of the run that
     * overlap them, in groups to store as one row each: a group never spans a stored range, so rows never overlap.
     * Usually one group (the batch, or the part of it after what a redelivery or an overlapping batch already
     * brought), or none.
     */
    public static List<List<Entry>> unstored(List<Entry> entries, List<SeqRange> stored) {
        List<SeqRange> ranges = stored.stream().sorted(Comparator.comparingLong(SeqRange::first)).toList();
        List<List<Entry>> groups = new ArrayList<>();
        List<Entry> group = null;
        long groupLast = 0;
        for (Entry entry : entries) {
            if (within(entry.seq(), ranges)) {
                group = null;
                continue;
            }
            if (group != null && startsBetween(groupLast, entry.seq(), ranges)) {
                group = null;
            }
            if (group == null) {
                group = new ArrayList<>();
                groups.add(group);
            }
            group.add(entry);
            groupLast = entry.seq();
        }
        return groups;
    }

    private static boolean within(long seq, List<SeqRange> ranges) {
        return ranges.stream().anyMatch(r -> r.first() <= seq && seq <= r.last());
    }

    /** A stored range lies between two unstored entries: they go to two rows. */
    private static boolean startsBetween(long after, long before, List<SeqRange> ranges) {
        return ranges.stream().anyMatch(r -> r.first() > after && r.first() < before);
    }

    private static String storable(String text) {
        return text.indexOf('\u0000') < 0 ? text : text.replace('\u0000', '\uFFFD');
    }

    private ActivityBatch() {
    }
}
