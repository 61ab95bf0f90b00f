package dev.handoff.gateway.cursor;

import dev.handoff.gateway.ProviderRun;
import dev.handoff.gateway.cursor.CursorAgents.Keyed;
import dev.handoff.gateway.cursor.CursorAgents.Next;
import io.smallrye.mutiny.Uni;

/**
 * What {@link CursorPoller} and {@link CursorProvider} do with a run's Cursor agent, in the API the gateway speaks
 * ({@code HANDOFF_CURSOR_API}): v0 ({@link CursorAgents}) or v1 ({@link CursorAgentsV1}).
 */
interface CursorRuns {

    /** Starts the run's work on Cursor (a new agent, or a follow-up on the earlier run's); answers the next turn. */
    Uni<Next> launch(ProviderRun run, Keyed keyed);

    /** Follows the run on Cursor and applies what it learns; answers the next turn, or null once the run is finished. */
    Uni<Next> poll(ProviderRun run, Keyed keyed);

    /** Stops the run's work on Cursor (when it started) and records the run as cancelled. */
    Uni<Void> cancel(ProviderRun run);
}
