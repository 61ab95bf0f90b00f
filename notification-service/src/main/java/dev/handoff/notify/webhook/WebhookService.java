package dev.handoff.notify.webhook;

import dev.handoff.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/** The webhook use cases: register (validated, SSRF-checked, with a fresh secret), list, delete, read the log. */
@ApplicationScoped
public class WebhookService {

    static final int MAX_URL_LENGTH = 2048;

    private final WebhookStore store;
    private final SecretCipher cipher;
    private final AddressGuard guard;

    public WebhookService(WebhookStore store, SecretCipher cipher, AddressGuard guard) {
        this.store = store;
        this.cipher = cipher;
        this.guard = guard;
    }

    /** What a client asks for; any field may be missing. */
    public record Registration(String url, List<String> events, String format) {
    }

    /** A new webhook and its secret: the only time the secret leaves the service. */
    public record Created(Webhook webhook, String secret) {
    }

    public Uni<Created> create(String workspaceId, Registration registration) {
        // resolving the host is blocking DNS: off the event loop
        return Uni.createFrom().item(() -> validate(workspaceId, registration))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(webhook -> {
                    String secret = SecretCipher.newSecret();
                    return store.insert(webhook, cipher.seal(webhook.id().toString(), secret), cipher.keyId())
                            .map(stored -> new Created(stored, secret));
                });
    }

    public Uni<WebhookStore.Page<Webhook>> list(String workspaceId, int limit, WebhookStore.WebhookPosition after) {
        return store.list(workspaceId, limit, after);
    }

    public Uni<Void> delete(String workspaceId, UUID id) {
        return store.delete(workspaceId, id).invoke(deleted -> {
            if (!deleted) {
                throw ProblemException.notFound("webhook " + id);
            }
        }).replaceWithVoid();
    }

    public Uni<WebhookStore.Page<DeliveryView>> deliveries(String workspaceId, UUID id, int limit,
            WebhookStore.DeliveryPosition after) {
        return store.find(workspaceId, id).chain(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().failure(ProblemException.notFound("webhook " + id));
            }
            return store.deliveries(id, limit, after);
        });
    }

    private Webhook validate(String workspaceId, Registration registration) {
        if (registration == null) {
            throw ProblemException.validation("url", "is required");
        }
        List<ProblemException.Violation> violations = new ArrayList<>();
        String url = registration.url() == null ? null : registration.url().strip();
        URI uri = null;
        if (url == null || url.isEmpty()) {
            violations.add(new ProblemException.Violation("url", "is required"));
        } else if (url.length() > MAX_URL_LENGTH) {
            violations.add(new ProblemException.Violation("url", "must be at most " + MAX_URL_LENGTH + " characters"));
        } else {
            uri = parse(url, violations);
        }

        List<String> events = Webhook.EVENTS;
        if (registration.events() != null) {
            Set<String> wanted = new LinkedHashSet<>();
            for (String event : registration.events()) {
                if (event == null || !Webhook.EVENTS.contains(event)) {
                    violations.add(new ProblemException.Violation("events",
                            "unknown event " + event + "; one of " + String.join(", ", Webhook.EVENTS)));
                } else {
                    wanted.add(event);
                }
            }
            if (registration.events().isEmpty()) {
                violations.add(new ProblemException.Violation("events", "must name at least one event"));
            }
            events = Webhook.EVENTS.stream().filter(wanted::contains).toList();
        }

        WebhookFormat format = WebhookFormat.HANDOFF;
        if (registration.format() != null) {
            format = WebhookFormat.of(registration.format()).orElse(null);
            if (format == null) {
                violations.add(new ProblemException.Violation("format", "must be handoff or slack"));
            }
        }

        if (violations.isEmpty()) {
            try {
                guard.vet(host(uri));
            } catch (AddressGuard.Refused e) {
                violations.add(new ProblemException.Violation("url", e.getMessage()));
            }
        }
        if (!violations.isEmpty()) {
            throw invalid(violations);
        }
        return new Webhook(UUID.randomUUID(), workspaceId, uri.toString(), events, format,
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    private static URI parse(String url, List<ProblemException.Violation> violations) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            violations.add(new ProblemException.Violation("url", "is not a valid URL"));
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            violations.add(new ProblemException.Violation("url", "must be an http:// or https:// URL"));
        } else if (uri.getHost() == null || uri.getHost().isEmpty()) {
            violations.add(new ProblemException.Violation("url", "must name a host"));
        } else if (uri.getRawUserInfo() != null) {
            violations.add(new ProblemException.Violation("url", "must not carry credentials"));
        } else {
            return uri;
        }
        return null;
    }

    /** The URI's host without the brackets of an IPv6 literal. */
    static String host(URI uri) {
        String host = uri.getHost();
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static ProblemException invalid(List<ProblemException.Violation> violations) {
        String detail = violations.stream().map(v -> v.field() + ": " + v.message()).collect(Collectors.joining("; "));
        return new ProblemException(400, "validation-failed", "Invalid request", detail,
                Map.of("violations", violations), Map.of());
    }
}
