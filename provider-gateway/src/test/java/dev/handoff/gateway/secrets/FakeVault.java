package dev.handoff.gateway.secrets;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for HashiCorp Vault's HTTP API as published, for the KV version 2 secrets engine mounted at
 * {@code secret}: {@code POST|PUT /v1/secret/data/<path>} (body {@code {"data": {...}, "options": {...}}}),
 * {@code GET /v1/secret/data/<path>} ({@code data.data} and {@code data.metadata}; 404 {@code {"errors": []}} when
 * there is no live version), {@code DELETE /v1/secret/data/<path>} (soft-deletes the latest version),
 * {@code DELETE /v1/secret/metadata/<path>} (destroys every version); token auth with {@code X-Vault-Token}
 * (403 {@code {"errors": ["permission denied"]}} otherwise), {@code GET /v1/auth/token/lookup-self}, and Kubernetes
 * auth {@code POST /v1/auth/kubernetes/login} (with {@code POST /v1/auth/token/renew-self} for the token it issues).
 */
public class FakeVault implements QuarkusTestResourceLifecycleManager {

    public static final String TOKEN = "hvs.fake-vault-root-token";
    public static final String K8S_ROLE = "handoff-gateway";
    public static final String K8S_JWT = "eyJhbGciOiJSUzI1NiJ9.fake-service-account-token.sig";

    /** Marks the test field the running fake is injected into. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Inject {
    }

    /** One request the fake received. */
    public record Received(String method, String path, String token, JsonObject body) {
    }

    /** One path's versions (null data = deleted version). */
    private static final class Secret {
        final List<JsonObject> versions = new ArrayList<>();
        final List<String> created = new ArrayList<>();
    }

    private Vertx vertx;
    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Secret> kv = Collections.synchronizedMap(new HashMap<>());
    private volatile boolean sealed;
    private final List<String> tokens = Collections.synchronizedList(new ArrayList<>(List.of(TOKEN)));

    @Override
    public Map<String, String> start() {
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create());
        router.route().handler(this::record);
        router.route().handler(this::unlessSealed);
        router.post("/v1/auth/kubernetes/login").handler(this::kubernetesLogin);
        router.route().handler(this::authenticate);
        router.get("/v1/auth/token/lookup-self").handler(this::lookupSelf);
        router.post("/v1/auth/token/renew-self").handler(this::renewSelf);
        router.getWithRegex("/v1/secret/data/(?<path>.+)").handler(this::read);
        router.postWithRegex("/v1/secret/data/(?<path>.+)").handler(this::write);
        router.putWithRegex("/v1/secret/data/(?<path>.+)").handler(this::write);
        router.deleteWithRegex("/v1/secret/data/(?<path>.+)").handler(this::softDelete);
        router.deleteWithRegex("/v1/secret/metadata/(?<path>.+)").handler(this::destroyAll);
        router.route().handler(ctx -> errors(ctx, 404, List.of()));
        CompletableFuture<HttpServer> started = new CompletableFuture<>();
        vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .onSuccess(started::complete).onFailure(started::completeExceptionally);
        HttpServer server;
        try {
            server = started.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the fake Vault did not start", e);
        }
        return Map.of("quarkus.vault.url", "http://127.0.0.1:" + server.actualPort());
    }

    @Override
    public void stop() {
        if (vertx != null) {
            vertx.close();
        }
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(this, new TestInjector.AnnotatedAndMatchesType(Inject.class, FakeVault.class));
    }

    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** The live data at a path of the {@code secret} mount, or null. */
    public JsonObject data(String path) {
        Secret secret = kv.get(path);
        if (secret == null || secret.versions.isEmpty()) {
            return null;
        }
        JsonObject latest = secret.versions.get(secret.versions.size() - 1);
        return latest == null ? null : latest.copy();
    }

    /** A sealed Vault answers every request 503 {@code {"errors":["Vault is sealed"]}}, as the real one does. */
    public void sealed(boolean sealed) {
        this.sealed = sealed;
    }

    public boolean hasMetadata(String path) {
        return kv.containsKey(path);
    }

    private void record(RoutingContext ctx) {
        JsonObject body = null;
        if (ctx.body() != null && ctx.body().length() > 0) {
            body = ctx.body().asJsonObject();
        }
        received.add(new Received(ctx.request().method().name(), ctx.request().path(),
                ctx.request().getHeader("X-Vault-Token"), body));
        ctx.next();
    }

    private void unlessSealed(RoutingContext ctx) {
        if (sealed) {
            errors(ctx, 503, List.of("Vault is sealed"));
        } else {
            ctx.next();
        }
    }

    private void authenticate(RoutingContext ctx) {
        if (!tokens.contains(ctx.request().getHeader("X-Vault-Token"))) {
            errors(ctx, 403, List.of("permission denied"));
            return;
        }
        ctx.next();
    }

    private void kubernetesLogin(RoutingContext ctx) {
        JsonObject body = ctx.body().asJsonObject();
        if (body == null || !K8S_ROLE.equals(body.getString("role")) || !K8S_JWT.equals(body.getString("jwt"))) {
            errors(ctx, 403, List.of("permission denied"));
            return;
        }
        String token = "hvs.k8s-" + UUID.randomUUID();
        tokens.add(token);
        ok(ctx, envelope(null).put("auth", new JsonObject().put("client_token", token).put("accessor", UUID.randomUUID().toString())
                .put("policies", new JsonArray().add("default").add("handoff")).put("token_policies", new JsonArray().add("default"))
                .put("metadata", new JsonObject().put("role", K8S_ROLE).put("service_account_name", "provider-gateway")
                        .put("service_account_namespace", "handoff"))
                .put("lease_duration", 3600).put("renewable", true).put("entity_id", UUID.randomUUID().toString())
                .put("token_type", "service").put("orphan", true)));
    }

    private void lookupSelf(RoutingContext ctx) {
        String token = ctx.request().getHeader("X-Vault-Token");
        ok(ctx, envelope(new JsonObject().put("accessor", "accessor-" + token.hashCode()).put("creation_time", 1700000000)
                .put("creation_ttl", 0).put("display_name", "token").put("entity_id", "").put("expire_time", (String) null)
                .put("explicit_max_ttl", 0).put("id", token).put("meta", (String) null).put("num_uses", 0).put("orphan", true)
                .put("path", "auth/token/create").put("policies", new JsonArray().add("root")).put("renewable", false)
                .put("ttl", 0).put("type", "service")));
    }

    private void renewSelf(RoutingContext ctx) {
        String token = ctx.request().getHeader("X-Vault-Token");
        ok(ctx, envelope(null).put("auth", new JsonObject().put("client_token", token).put("accessor", "accessor-" + token.hashCode())
                .put("policies", new JsonArray().add("default").add("handoff")).put("token_policies", new JsonArray().add("default"))
                .put("metadata", (String) null).put("lease_duration", 3600).put("renewable", true)
                .put("entity_id", "").put("token_type", "service").put("orphan", true)));
    }

    private void write(RoutingContext ctx) {
        JsonObject body = ctx.body().asJsonObject();
        if (body == null || body.getJsonObject("data") == null) {
            errors(ctx, 400, List.of("no data provided"));
            return;
        }
        Secret secret = kv.computeIfAbsent(ctx.pathParam("path"), p -> new Secret());
        synchronized (secret) {
            secret.versions.add(body.getJsonObject("data").copy());
            secret.created.add(Instant.now().toString());
            ok(ctx, envelope(metadata(secret, secret.versions.size())));
        }
    }

    private void read(RoutingContext ctx) {
        Secret secret = kv.get(ctx.pathParam("path"));
        if (secret == null || secret.versions.isEmpty() || secret.versions.get(secret.versions.size() - 1) == null) {
            errors(ctx, 404, List.of());
            return;
        }
        synchronized (secret) {
            int version = secret.versions.size();
            ok(ctx, envelope(new JsonObject().put("data", secret.versions.get(version - 1).copy())
                    .put("metadata", metadata(secret, version))));
        }
    }

    private void softDelete(RoutingContext ctx) {
        Secret secret = kv.get(ctx.pathParam("path"));
        if (secret != null && !secret.versions.isEmpty()) {
            secret.versions.set(secret.versions.size() - 1, null);
        }
        ctx.response().setStatusCode(204).end();
    }

    private void destroyAll(RoutingContext ctx) {
        kv.remove(ctx.pathParam("path"));
        ctx.response().setStatusCode(204).end();
    }

    private static JsonObject metadata(Secret secret, int version) {
        return new JsonObject().put("created_time", secret.created.get(version - 1)).put("custom_metadata", (String) null)
                .put("deletion_time", "").put("destroyed", false).put("version", version);
    }

    private static JsonObject envelope(JsonObject data) {
        return new JsonObject().put("request_id", UUID.randomUUID().toString()).put("lease_id", "").put("renewable", false)
                .put("lease_duration", 0).put("data", data).put("wrap_info", (String) null).put("warnings", (String) null)
                .put("auth", (String) null).put("mount_type", "kv");
    }

    private static void ok(RoutingContext ctx, JsonObject body) {
        ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(body.encode());
    }

    private static void errors(RoutingContext ctx, int status, List<String> errors) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("errors", new JsonArray(errors)).encode());
    }
}
