package dev.handoff.tasks.service;

import dev.handoff.tasks.repository.ListPosition;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.function.Function;

/** One page of a list in its stable order; {@code next} is where the following page starts, null on the last page. */
public record ListPage<T>(List<T> items, ListPosition next) {

    /**
     * The page of {@code limit} items from rows read with one more than the limit: the extra row only says that
     * another page exists, and the last item kept is where it starts.
     */
    static <R, T> ListPage<T> of(List<R> rowsPlusOne, int limit, Function<R, ListPosition> positionOf,
            Function<List<R>, List<T>> toItems) {
        boolean more = rowsPlusOne.size() > limit;
        List<R> rows = more ? rowsPlusOne.subList(0, limit) : rowsPlusOne;
        return new ListPage<>(toItems.apply(rows), more ? positionOf.apply(rows.get(rows.size() - 1)) : null);
    }

    /** The same, for items that take a query of their own to make. */
    static <R, T> Uni<ListPage<T>> ofLater(List<R> rowsPlusOne, int limit, Function<R, ListPosition> positionOf,
            Function<List<R>, Uni<List<T>>> toItems) {
        boolean more = rowsPlusOne.size() > limit;
        List<R> rows = more ? rowsPlusOne.subList(0, limit) : rowsPlusOne;
        ListPosition next = more ? positionOf.apply(rows.get(rows.size() - 1)) : null;
        return toItems.apply(rows).map(items -> new ListPage<>(items, next));
    }
}
