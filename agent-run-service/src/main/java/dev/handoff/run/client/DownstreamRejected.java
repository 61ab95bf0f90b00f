package dev.handoff.run.client;

/** A downstream service refused the call (a 4xx other than 404): retrying would not help. */
public class DownstreamRejected extends RuntimeException {

    public DownstreamRejected(String service, int status) {
        super(service + " answered " + status, null, false, false);
    }
}
