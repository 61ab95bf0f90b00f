package dev.handoff.gateway.repository;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.handoff.events.EventJson;
import dev.handoff.gateway.LocalPullRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The {@code pull_request} table: local pull requests, always read within one workspace. */
@ApplicationScoped
public class PullRequestRepository {

    private static final TypeReference<List<LocalPullRequest.Commit>> COMMITS = new TypeReference<>() {
    };

    private final Pool pool;

    public PullRequestRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> insert(LocalPullRequest pr) {
        return pool.preparedQuery("""
                insert into pull_request (id, workspace_id, run_id, repository_url, base, head, title, body, commits,
                    diff_stat, diff, created_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)""")
                .execute(Tuple.from(new Object[] {pr.id(), pr.workspaceId(), pr.runId(), pr.repositoryUrl(), pr.base(),
                        pr.head(), pr.title(), pr.body(), EventJson.toJson(pr.commits()), pr.diffStat(), pr.diff(),
                        Sql.at(pr.createdAt())}))
                .replaceWithVoid();
    }

    /** A follow-up grew the pull request: its body, commits, diff stat and diff are replaced, nothing else. */
    public Uni<Void> updateContent(LocalPullRequest pr) {
        return pool.preparedQuery("""
                update pull_request set body = $3, commits = $4, diff_stat = $5, diff = $6
                where id = $1 and workspace_id = $2""")
                .execute(Tuple.from(new Object[] {pr.id(), pr.workspaceId(), pr.body(), EventJson.toJson(pr.commits()),
                        pr.diffStat(), pr.diff()}))
                .replaceWithVoid();
    }

    public Uni<Optional<LocalPullRequest>> find(String workspaceId, UUID id) {
        return pool.preparedQuery("select * from pull_request where id = $1 and workspace_id = $2")
                .execute(Tuple.of(id, workspaceId))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(map(rows.iterator().next())));
    }

    private static LocalPullRequest map(Row row) {
        List<LocalPullRequest.Commit> commits;
        try {
            commits = EventJson.mapper().readValue(row.getString("commits"), COMMITS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new LocalPullRequest(row.getUUID("id"), row.getString("workspace_id"), row.getUUID("run_id"),
                row.getString("repository_url"), row.getString("base"), row.getString("head"), row.getString("title"),
                row.getString("body"), commits, row.getString("diff_stat"), row.getString("diff"),
                Sql.instant(row, "created_at"));
    }
}
