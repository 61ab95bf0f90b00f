package dev.handoff.bench.floor;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * The floor: one reactive REST endpoint that inserts one row into PostgreSQL and answers 201, nothing else (no
 * authentication, no validation, no downstream call, no outbox). Its latency is the least a launch can cost on the
 * same machine, server and client.
 */
@Path("/floor")
public class FloorResource {

    private final Pool pool;

    public FloorResource(Pool pool) {
        this.pool = pool;
    }

    void createTable(@Observes StartupEvent started) {
        pool.query("""
                create table if not exists floor_row (
                  id uuid primary key,
                  body text not null,
                  created_at timestamptz not null)""").execute().await().indefinitely();
    }

    @POST
    public Uni<Response> insert(String body) {
        UUID id = UUID.randomUUID();
        return pool.preparedQuery("insert into floor_row (id, body, created_at) values ($1, $2, $3)")
                .execute(Tuple.of(id, body == null ? "" : body, OffsetDateTime.now()))
                .map(rows -> Response.status(201).entity("{\"id\":\"" + id + "\"}").type("application/json").build());
    }
}
