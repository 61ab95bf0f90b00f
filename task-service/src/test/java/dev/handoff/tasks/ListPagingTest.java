package dev.handoff.tasks;

import static dev.handoff.tasks.Api.as;
import static dev.handoff.tasks.Api.createBrief;
import static dev.handoff.tasks.Api.createTask;
import static dev.handoff.tasks.Api.newWorkspace;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The contract's bounded lists: limit and cursor, a Link to the next page, no content in brief lists. */
@QuarkusTest
class ListPagingTest {

    private static final Pattern NEXT = Pattern.compile("^<([^>]+)>; rel=\"next\"$");

    private final String ws = newWorkspace();

    private ExtractableResponse<Response> page(String pathAndQuery) {
        return as(ws).urlEncodingEnabled(false).get(pathAndQuery).then().statusCode(200).extract();
    }

    /** The target of the page's {@code Link: <...>; rel="next"}, or null on the last page. */
    private static String next(ExtractableResponse<Response> page) {
        String link = page.header("Link");
        if (link == null) {
            return null;
        }
        Matcher matcher = NEXT.matcher(link);
        assertThat(link, matcher.matches(), equalTo(true));
        return matcher.group(1);
    }

    @Test
    void pagingThrough120BriefsFollowingTheLinksCollectsEachOnceNewestFirstWithoutContent() {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            created.add(createBrief(ws, "brief " + i, "x".repeat(i)));
        }
        List<String> newestFirst = new ArrayList<>(created);
        Collections.reverse(newestFirst);

        List<String> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String target = "/api/briefs?limit=50";
        while (target != null) {
            ExtractableResponse<Response> page = page(target);
            List<Map<String, Object>> items = page.jsonPath().getList("");
            pageSizes.add(items.size());
            for (Map<String, Object> item : items) {
                assertThat(item.containsKey("content"), equalTo(false));
                String title = (String) item.get("title");
                int number = Integer.parseInt(title.substring("brief ".length()));
                assertThat(item.get("contentLength"), equalTo(number));
                assertThat(item.get("createdAt"), notNullValue());
                seen.add((String) item.get("id"));
            }
            if (seen.size() == 50) {
                // a brief created while a client pages is newer than every page it asks for next: no repeats
                createBrief(ws, "created while paging", "");
            }
            target = next(page);
            if (target != null) {
                assertThat(target, startsWith("/api/briefs?"));
                assertThat(target.contains("limit=50"), equalTo(true));
            }
        }
        assertThat(pageSizes, contains(50, 50, 20));
        assertThat(seen, equalTo(newestFirst));
    }

    @Test
    void withoutALimitAPageHoldsFiftyItems() {
        for (int i = 0; i < 51; i++) {
            createBrief(ws, "brief " + i, "");
        }
        ExtractableResponse<Response> first = page("/api/briefs");
        assertThat(first.jsonPath().getList(""), hasSize(50));
        String next = next(first);
        assertThat(next, notNullValue());
        ExtractableResponse<Response> second = page(next);
        assertThat(second.jsonPath().getList("title"), contains("brief 0"));
        assertThat(second.header("Link"), nullValue());
    }

    @Test
    void aBriefsTasksArePagedInCreationOrder() {
        String briefId = createBrief(ws, "b", "");
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            created.add(createTask(ws, briefId, Map.of("title", "task " + i,
                    "subtasks", List.of(Map.of("title", "step of " + i)))));
        }
        List<String> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String target = "/api/briefs/" + briefId + "/tasks?limit=3";
        while (target != null) {
            ExtractableResponse<Response> page = page(target);
            List<String> ids = page.jsonPath().getList("id");
            pageSizes.add(ids.size());
            seen.addAll(ids);
            assertThat(page.jsonPath().getList("subtasks.title.flatten()"), everyItem(startsWith("step of ")));
            target = next(page);
            if (target != null) {
                assertThat(target, startsWith("/api/briefs/" + briefId + "/tasks?"));
            }
        }
        assertThat(pageSizes, contains(3, 3, 1));
        assertThat(seen, equalTo(created));
    }

    @Test
    void aBadLimitOrACursorThatIsNotOursIsRefusedNamingTheField() {
        String briefId = createBrief(ws, "b", "");
        createBrief(ws, "c", "");
        createTask(ws, briefId, Map.of("title", "t1"));
        createTask(ws, briefId, Map.of("title", "t2"));
        String briefsCursor = cursorOf(next(page("/api/briefs?limit=1")));
        String tasksCursor = cursorOf(next(page("/api/briefs/" + briefId + "/tasks?limit=1")));

        for (String limit : List.of("0", "201", "-1", "abc", "", "1.5", "99999999999")) {
            for (String path : List.of("/api/briefs", "/api/briefs/" + briefId + "/tasks")) {
                as(ws).urlEncodingEnabled(false).get(path + "?limit=" + limit).then().log().ifValidationFails()
                        .statusCode(400)
                        .contentType("application/problem+json")
                        .body("code", equalTo("validation-failed"))
                        .body("violations.field", contains("limit"));
            }
        }
        String otherBrief = createBrief(ws, "other", "");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString("1|briefs|yesterday|1".getBytes());
        for (String cursor : List.of("garbage!", "", "bm90IG91cnM", forged, "x".repeat(600))) {
            as(ws).queryParam("cursor", cursor).get("/api/briefs").then().log().ifValidationFails().statusCode(400)
                    .body("code", equalTo("validation-failed"))
                    .body("violations.field", contains("cursor"));
        }
        // a cursor of another list is not one of this list's
        as(ws).queryParam("cursor", tasksCursor).get("/api/briefs").then().statusCode(400)
                .body("violations.field", contains("cursor"));
        as(ws).queryParam("cursor", briefsCursor).get("/api/briefs/{id}/tasks", briefId).then().statusCode(400)
                .body("violations.field", contains("cursor"));
        as(ws).queryParam("cursor", tasksCursor).get("/api/briefs/{id}/tasks", otherBrief).then().statusCode(400)
                .body("violations.field", contains("cursor"));
        // both wrong: both named
        as(ws).queryParam("limit", "0").queryParam("cursor", "nope").get("/api/briefs").then().statusCode(400)
                .body("violations.field", contains("limit", "cursor"));

        // the limits themselves are fine, and a real cursor goes on where the page ended
        as(ws).queryParam("limit", "200").get("/api/briefs").then().statusCode(200).body("title", contains("other", "c", "b"));
        as(ws).queryParam("limit", "1").queryParam("cursor", briefsCursor).get("/api/briefs").then().statusCode(200)
                .body("title", contains("b"));
        as(ws).queryParam("cursor", tasksCursor).get("/api/briefs/{id}/tasks", briefId).then().statusCode(200)
                .body("title", contains("t2"));
        as(ws).queryParam("limit", "1").get("/api/briefs/{id}/tasks", briefId).then().statusCode(200)
                .header("Link", not(nullValue()));
    }

    private static String cursorOf(String target) {
        Matcher matcher = Pattern.compile("[?&]cursor=([^&]+)").matcher(target);
        assertThat(target, matcher.find(), equalTo(true));
        return matcher.group(1);
    }
}
