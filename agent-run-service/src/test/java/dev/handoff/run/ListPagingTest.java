package dev.handoff.run;

import static dev.handoff.run.RunApi.as;
import static dev.handoff.run.RunApi.workspace;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.handoff.testsupport.HandoffTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The run lists are bounded: limit, cursor, Link; no agent context in any answer. */
@QuarkusTest
class ListPagingTest {

    private static final Pattern NEXT = Pattern.compile("^<([^>]+)>; rel=\"next\"$");
    private static final String CONTEXT_MARKER = "THE-STORED-AGENT-CONTEXT";

    @Test
    void followingLinkThroughATasksRunsSeesEachOfThe120RunsOnceNewestFirst() {
        String ws = workspace("pages");
        UUID taskId = RunApi.task();
        List<UUID> inserted = insertRuns(ws, taskId, 120);

        List<String> seen = follow(ws, "/api/tasks/" + taskId + "/runs", 50, List.of(50, 50, 20));
        assertThat(new HashSet<>(seen), hasSize(120));
        // newest first: the insertion order reversed (several runs share a creation time: the id orders them)
        List<String> expected = new ArrayList<>(inserted.stream().map(UUID::toString).toList());
        java.util.Collections.reverse(expected);
        assertThat(seen, equalTo(expectedOrder(ws, taskId)));
        assertThat(seen, containsInAnyOrder(expected.toArray()));
    }

    @Test
    void theWorkspacesRunsPageByStatusAndWithoutOne() {
        String ws = workspace("pages");
        UUID taskId = RunApi.task();
        List<UUID> inserted = insertRuns(ws, taskId, 120);
        String[] all = inserted.stream().map(UUID::toString).toArray(String[]::new);

        List<String> everything = follow(ws, "/api/runs", 200, List.of(120));
        assertThat(everything, containsInAnyOrder(all));
        List<String> completed = follow(ws, "/api/runs?status=COMPLETED", 7, null);
        assertThat(completed, containsInAnyOrder(all));
        assertThat(follow(ws, "/api/runs?status=RUNNING", 50, List.of(0)), hasSize(0));
        // the default limit is 50
        List<String> defaults = follow(ws, "/api/runs", null, List.of(50, 50, 20));
        assertThat(defaults, containsInAnyOrder(all));
        // another workspace sees none of them
        assertThat(follow(workspace("other"), "/api/runs", 50, List.of(0)), hasSize(0));
    }

    @Test
    void noListNorRunCarriesTheAgentContext() {
        String ws = workspace("pages");
        UUID taskId = RunApi.task();
        UUID launched = RunApi.launched(ws, taskId);
        insertRuns(ws, taskId, 3);
        String body = as(ws).get("/api/tasks/{taskId}/runs", taskId).then().statusCode(200)
                .body("$", hasSize(4)).body("[0].context", nullValue()).extract().asString();
        assertThat(body, not(containsString(CONTEXT_MARKER)));
        assertThat(body, not(containsString("\"context\"")));
        assertThat(body, not(containsString("Users need accounts.")));
        String runs = as(ws).get("/api/runs").then().statusCode(200).extract().asString();
        assertThat(runs, not(containsString(CONTEXT_MARKER)));
        assertThat(runs, not(containsString("Users need accounts.")));
        String one = RunApi.get(ws, launched).statusCode(200).extract().asString();
        assertThat(one, not(containsString("Users need accounts.")));
    }

    @Test
    void aBadLimitOrCursorIs400NamingTheField() {
        String ws = workspace("pages");
        UUID taskId = RunApi.task();
        insertRuns(ws, taskId, 3);
        for (String limit : List.of("0", "201", "-1", "abc", "", "1.5", "99999999999")) {
            as(ws).get("/api/tasks/" + taskId + "/runs?limit=" + limit).then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("code", equalTo("validation-failed"))
                    .body("violations.field", hasItems("limit"));
            as(ws).get("/api/runs?limit=" + limit).then().statusCode(400).body("code", equalTo("validation-failed"));
        }
        String otherTasks = cursorOf(ws, "/api/tasks/" + RunApi.task() + "/runs");
        String statusCursor = cursorOf(ws, "/api/runs?status=COMPLETED");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("1|runs:task:" + taskId + "|yesterday|x").getBytes(StandardCharsets.UTF_8));
        for (String cursor : List.of("", "not-base64!", "AAAA", forged, "x".repeat(600), statusCursor)) {
            as(ws).urlEncodingEnabled(true).queryParam("cursor", cursor)
                    .get("/api/tasks/{taskId}/runs", taskId).then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("code", equalTo("validation-failed"))
                    .body("violations.field", hasItems("cursor"));
        }
        // a cursor of one status's list is not one of another's; bad limit and cursor: both named
        String taskCursor = cursorOf(ws, "/api/tasks/" + taskId + "/runs");
        as(ws).queryParam("cursor", statusCursor).get("/api/runs?status=FAILED").then().statusCode(400);
        as(ws).queryParam("cursor", taskCursor).get("/api/runs").then().statusCode(400);
        if (otherTasks != null) {
            as(ws).queryParam("cursor", otherTasks).get("/api/tasks/{taskId}/runs", taskId).then().statusCode(400);
        }
        as(ws).get("/api/runs?limit=0&cursor=nope").then().statusCode(400)
                .body("violations.field", containsInAnyOrder("limit", "cursor"));
        as(ws).get("/api/runs?status=DONE").then().statusCode(400).body("code", equalTo("validation-failed"));
    }

    /** The cursor of the first page's Link (limit 1), or null when the list has at most one item. */
    private static String cursorOf(String ws, String path) {
        String link = as(ws).get(path + (path.contains("?") ? "&" : "?") + "limit=1").then().statusCode(200)
                .extract().header("Link");
        if (link == null) {
            return null;
        }
        Matcher matcher = Pattern.compile("cursor=([^&>]+)").matcher(link);
        assertThat(matcher.find(), equalTo(true));
        return matcher.group(1);
    }

    /** Follows Link from the first page to the last; {@code sizes} (when given) is what each page must hold. */
    private static List<String> follow(String ws, String first, Integer limit, List<Integer> sizes) {
        List<String> ids = new ArrayList<>();
        List<Integer> pages = new ArrayList<>();
        String next = limit == null ? first : first + (first.contains("?") ? "&" : "?") + "limit=" + limit;
        while (next != null) {
            ExtractableResponse<Response> page = as(ws).urlEncodingEnabled(false).get(next).then().statusCode(200)
                    .contentType("application/json").extract();
            List<String> items = page.jsonPath().getList("id", String.class);
            pages.add(items.size());
            ids.addAll(items);
            String link = page.header("Link");
            if (link == null) {
                next = null;
            } else {
                Matcher matcher = NEXT.matcher(link);
                assertThat(link, matcher.matches(), equalTo(true));
                next = matcher.group(1);
                assertThat(next, startsWith(first.contains("?") ? first.substring(0, first.indexOf('?')) : first));
            }
            assertThat("pages: " + pages, pages.size() <= 200, equalTo(true));
        }
        if (sizes != null) {
            assertThat(pages, equalTo(sizes));
        }
        Set<String> distinct = new HashSet<>(ids);
        assertThat("every item exactly once", distinct.size(), equalTo(ids.size()));
        return ids;
    }

    /** The runs inserted directly, as finished runs (a workspace may have only 20 active ones), oldest first. */
    private static List<UUID> insertRuns(String ws, UUID taskId, int count) {
        List<UUID> ids = new ArrayList<>();
        Instant base = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(3600);
        String context = "{\"task\":{\"title\":\"" + CONTEXT_MARKER + "\"},\"brief\":{\"content\":\""
                + "x".repeat(100_000) + "\"}}";
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement insert = db.prepareStatement("insert into runs (id, workspace_id, task_id, "
                        + "task_title, status, provider, repository_url, branch, target_branch, created_at, "
                        + "finished_at, updated_at, status_version, history, context) "
                        + "values (?, ?, ?, 'T', 'COMPLETED', 'local', 'https://github.com/acme/shop.git', 'main', "
                        + "'handoff/t', ?, ?, ?, 3, '[]', ?)")) {
            for (int i = 0; i < count; i++) {
                UUID id = UUID.randomUUID();
                // three runs per millisecond: equal creation times are ordered by id
                Timestamp at = Timestamp.from(base.plusMillis(i / 3));
                insert.setObject(1, id);
                insert.setString(2, ws);
                insert.setObject(3, taskId);
                insert.setTimestamp(4, at);
                insert.setTimestamp(5, at);
                insert.setTimestamp(6, at);
                insert.setString(7, context);
                insert.addBatch();
                ids.add(id);
            }
            insert.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return ids;
    }

    /** The newest-first order as the database sorts it (creation time, then id, both descending). */
    private static List<String> expectedOrder(String ws, UUID taskId) {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement query = db.prepareStatement("select id from runs where workspace_id = ? and "
                        + "task_id = ? order by created_at desc, id desc")) {
            query.setString(1, ws);
            query.setObject(2, taskId);
            List<String> ids = new ArrayList<>();
            try (var rows = query.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getObject(1, UUID.class).toString());
                }
            }
            return ids;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
