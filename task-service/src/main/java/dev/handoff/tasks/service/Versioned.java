package dev.handoff.tasks.service;

/** An answer of a use case and the revision of the entity it shows, for the {@code ETag} header. */
public record Versioned<T>(T body, long version) {

    public String etag() {
        return EntityTag.of(version);
    }
}
