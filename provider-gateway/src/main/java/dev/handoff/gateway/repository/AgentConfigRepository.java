package dev.handoff.gateway.repository;

import dev.handoff.gateway.AgentConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** The {@code agent_config} table: one row per workspace. */
@ApplicationScoped
public class AgentConfigRepository {

    private final Pool pool;

    public AgentConfigRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Optional<AgentConfig>> find(String workspaceId) {
        return pool.preparedQuery("select * from agent_config where workspace_id = $1")
                .execute(Tuple.of(workspaceId))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(map(rows.iterator().next())));
    }

    public Uni<AgentConfig> save(AgentConfig config) {
        return pool.preparedQuery("""
                insert into agent_config (workspace_id, provider, enabled, model, key_hint, verified_at, updated_at, agent,
                    git_token_hint)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                on conflict (workspace_id) do update set provider = excluded.provider, enabled = excluded.enabled,
                    model = excluded.model, key_hint = excluded.key_hint, verified_at = excluded.verified_at,
                    updated_at = excluded.updated_at, agent = excluded.agent, git_token_hint = excluded.git_token_hint
                returning *""")
                .execute(Tuple.from(new Object[] {config.workspaceId(), config.provider(), config.enabled(), config.model(),
                        config.keyHint(), Sql.at(config.verifiedAt()), Sql.at(config.updatedAt()), config.agent(),
                        config.gitTokenHint()}))
                .map(rows -> map(rows.iterator().next()));
    }

    public Uni<Boolean> delete(String workspaceId) {
        return pool.preparedQuery("delete from agent_config where workspace_id = $1")
                .execute(Tuple.of(workspaceId))
                .map(rows -> rows.rowCount() > 0);
    }

    private static AgentConfig map(Row row) {
        return new AgentConfig(row.getString("workspace_id"), row.getString("provider"), row.getBoolean("enabled"),
                row.getString("model"), row.getString("key_hint"), Sql.instant(row, "verified_at"),
                Sql.instant(row, "updated_at"), row.getString("agent"), row.getString("git_token_hint"));
    }
}
