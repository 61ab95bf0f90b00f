package dev.handoff.notify.live;

import dev.handoff.notify.RunEvent;

/** Something on this replica that wants a workspace's events as they are stored (one SSE connection). */
public interface FeedListener {

    /** Called once per event, in sequence order; must not block (hand the event to your own context). */
    void onEvent(RunEvent event);

    /**
     * The feed lost its link to the database, so events may have been missed: the listener is already removed and
     * should end its stream, so that its client resumes by Last-Event-ID (and is replayed what it missed).
     */
    void onFeedLost();
}
