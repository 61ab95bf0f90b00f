package dev.handoff.gateway.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.gateway.ProviderRun;
import dev.handoff.testsupport.HandoffTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Several replicas poll the same runs: each due run is claimed by one of them at a time. */
@QuarkusTest
class ClaimTest {

    private static final Duration LEASE = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    Pool pool;

    @Inject
    ProviderRunRepository runs;

    @Test
    void twoReplicasClaimingAtTheSameTimeGetDisjointRunsAndALapsedLeaseFreesARun() throws Exception {
        String provider = "claimtest-" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 3; i++) {
            insertDue(provider);
        }

        // replica A holds its claim open (uncommitted) while replica B claims: B skips A's rows instead of waiting
        List<List<ProviderRun>> claims = pool.withTransaction(a -> runs.claimDue(a, provider, "replica-a", LEASE, 2)
                        .chain(claimedByA -> pool.withTransaction(b -> runs.claimDue(b, provider, "replica-b", LEASE, 10))
                                .map(claimedByB -> List.of(claimedByA, claimedByB))))
                .await().atMost(WAIT);
        Set<UUID> a = ids(claims.get(0));
        Set<UUID> b = ids(claims.get(1));
        assertEquals(2, a.size());
        assertEquals(1, b.size());
        assertTrue(a.stream().noneMatch(b::contains), "no run is claimed twice");

        // with the claims committed, nobody else gets them while the leases hold
        assertEquals(0, pool.withTransaction(c -> runs.claimDue(c, provider, "replica-c", LEASE, 10)).await().atMost(WAIT).size());

        // a replica that stopped leaves its lease to lapse; then another replica takes the run over
        UUID lapsed = a.iterator().next();
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement expire = db.prepareStatement("update provider_run set lease_until = now() - interval '1 second' where run_id = ?")) {
            expire.setObject(1, lapsed);
            expire.executeUpdate();
        }
        List<ProviderRun> takenOver = pool.withTransaction(c -> runs.claimDue(c, provider, "replica-c", LEASE, 10)).await().atMost(WAIT);
        assertEquals(Set.of(lapsed), ids(takenOver));
        assertEquals("replica-c", takenOver.get(0).owner());
    }

    private static void insertDue(String provider) throws Exception {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement insert = db.prepareStatement("""
                        insert into provider_run (run_id, workspace_id, provider, status, next_poll_at, created_at, updated_at)
                        values (?, 'claims', ?, 'RUNNING', now() - interval '1 second', now(), now())""")) {
            insert.setObject(1, UUID.randomUUID());
            insert.setString(2, provider);
            insert.executeUpdate();
        }
    }

    private static Set<UUID> ids(List<ProviderRun> runs) {
        Set<UUID> ids = new HashSet<>();
        runs.forEach(run -> ids.add(run.runId()));
        return ids;
    }
}
