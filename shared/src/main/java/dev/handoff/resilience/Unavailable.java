package dev.handoff.resilience;

/**
 * Something this service needs (its database, the secret store, the broker) is not answering right now. Requests that
 * meet it are answered 503 {@code service-unavailable} with {@code Retry-After}; messages are retried until it is back.
 * The message names the dependency only: never a secret, a URL with credentials or a payload.
 */
public class Unavailable extends RuntimeException {

    private final String dependency;

    public Unavailable(String dependency, Throwable cause) {
        super(dependency + " is not answering", cause);
        this.dependency = dependency;
    }

    public String dependency() {
        return dependency;
    }
}
