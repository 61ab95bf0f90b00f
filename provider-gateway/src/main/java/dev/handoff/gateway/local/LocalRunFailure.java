package dev.handoff.gateway.local;

/** Ends a local run as FAILED with a stable code and a message a user understands (never a secret). */
public class LocalRunFailure extends RuntimeException {

    public static final String REPOSITORY_NOT_ALLOWED = "repository-not-allowed";
    public static final String INVALID_BRANCH = "invalid-branch";
    public static final String CLONE_FAILED = "clone-failed";
    public static final String AGENT_NOT_CONFIGURED = "agent-not-configured";
    public static final String AGENT_NOT_INSTALLED = "agent-not-installed";
    public static final String AGENT_FAILED = "agent-failed";
    public static final String AGENT_TIMED_OUT = "agent-timed-out";
    public static final String COMMIT_FAILED = "commit-failed";
    public static final String PUSH_FAILED = "push-failed";
    public static final String PULL_REQUEST_FAILED = "pull-request-failed";
    public static final String TARGET_BRANCH_EXISTS = "target-branch-exists";
    public static final String SANDBOX_UNAVAILABLE = "sandbox-unavailable";
    public static final String INTERRUPTED_BY_RESTART = "interrupted-by-restart";
    public static final String INTERNAL_ERROR = "internal-error";
    /** The local provider's queue ({@code handoff.local.max-queued}) was full: the run was refused, not queued. */
    public static final String LOCAL_QUEUE_FULL = "local-queue-full";
    /** The agent's worktree grew beyond {@code HANDOFF_LOCAL_MAX_WORKTREE_BYTES}; the agent was stopped. */
    public static final String WORKTREE_TOO_LARGE = "worktree-too-large";

    private final String code;

    public LocalRunFailure(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
