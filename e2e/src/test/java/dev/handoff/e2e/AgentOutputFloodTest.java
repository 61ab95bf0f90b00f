package dev.handoff.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.e2e.chaos.RawHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Issue 20 on the stack a user runs: two local agents print 300 MB each (one line without a line end, and 3 million
 * lines of 100 bytes) into a gateway that runs with the small fixed heap of {@code ./handoff up} ({@code -Xmx160m}).
 * The gateway stays the same process and ready, its heap, as its own {@code /q/metrics} reports it while the floods
 * go on and after a full GC, stays under its limit, other workspaces' runs complete meanwhile, and each flood ends
 * with the activity the contract specifies: the huge line as one entry of at most 4,000 characters that says how much
 * was cut, the many lines as {@code HANDOFF_ACTIVITY_MAX_ENTRIES} (the stack's) {@code log} entries and one
 * {@code truncated}, the gateway's own steps still following.
 */
@Order(7)
class AgentOutputFloodTest {

    private static final long FLOOD_BYTES = 300_000_000L;
    /** What {@code ./handoff up} gives each service ({@code -Xmx160m}, the handoff script's HANDOFF_JAVA_OPTS default). */
    private static final long HEAP_LIMIT = 160L * 1024 * 1024;
    private static final int MAX_AGENT_ENTRIES = E2eStack.ACTIVITY_MAX_ENTRIES;
    private static final int MAX_ENTRY_CHARS = 4_000;
    private static final Duration RUN = Duration.ofSeconds(300);
    private static final Pattern HEAP = Pattern.compile("^jvm_memory_(used|max)_bytes\\{([^}]*)}\\s+(\\S+)$", Pattern.MULTILINE);
    private static final Pattern CUT = Pattern.compile("^(x*) \\[cut: (\\d+) more characters]$");

    private final E2eStack e2e = E2eStack.get();
    private final RawHttp http = new RawHttp();

    @Test
    void threeHundredMegabytesOfAgentOutputNeitherFillTheGatewaysHeapNorHoldUpOtherRuns() throws Exception {
        String pid = Files.readString(e2e.state().resolve("run/provider-gateway.pid")).strip();
        long max = heap("max");
        assertTrue(max > 0 && max <= HEAP_LIMIT, "the gateway runs with a heap of at most 160 MiB: " + max);
        long before = heapAfterFullGc(pid);

        Api flood = new Api(e2e, e2e.jwt().admin(E2eStack.newWorkspace("flood")));
        flood.configureLocal();
        String brief = flood.newBrief();
        Map<String, Object> launch = Map.of("repositoryUrl", e2e.sampleRepository(), "branch", "main");
        String oneLine = flood.launch(flood.newTask(brief, "Print one huge line"), launch).get("id").asText();
        String manyLines = flood.launch(flood.newTask(brief, "Print many short lines"), launch).get("id").asText();

        AtomicLong peak = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    peak.accumulateAndGet(heap("used"), Math::max);
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // a scrape that did not answer in time: the next one counts
                }
            }
        }, "gateway-heap-sampler");
        sampler.start();
        JsonNode lineRun;
        JsonNode linesRun;
        List<JsonNode> bystanders = new ArrayList<>();
        try {
            // another workspace's runs, launched while the floods go on, end as usual
            Api other = new Api(e2e, e2e.jwt().admin(E2eStack.newWorkspace("bystander")));
            other.configureLocal();
            String otherBrief = other.newBrief();
            List<String> otherRuns = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                otherRuns.add(other.launch(other.newTask(otherBrief, "A task beside the flood " + i), launch).get("id").asText());
            }
            for (String run : otherRuns) {
                bystanders.add(other.awaitStatus(run, "COMPLETED", RUN));
            }
            lineRun = awaitFinal(flood, oneLine);
            linesRun = awaitFinal(flood, manyLines);
        } finally {
            sampler.interrupt();
            sampler.join(5_000);
        }
        long after = heapAfterFullGc(pid);
        System.out.printf("[agent output flood] gateway heap: max %d MiB, after a full GC %d MiB before and %d MiB after"
                + " two floods of %d MB, peak used while they ran %d MiB%n", max >> 20, before >> 20, after >> 20,
                FLOOD_BYTES / 1_000_000, peak.get() >> 20);

        assertEquals(pid, Files.readString(e2e.state().resolve("run/provider-gateway.pid")).strip());
        assertTrue(ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false), "the gateway is alive");
        assertEquals(200, http.send("GET", e2e.gateway("/q/health/ready"), Map.of(), null).status(), "the gateway is ready");
        assertFalse(Files.readString(e2e.logs().resolve("provider-gateway.log"), StandardCharsets.UTF_8).contains("OutOfMemoryError"),
                "the gateway ran out of memory");
        assertTrue(peak.get() > 0 && peak.get() <= max, "peak heap used " + peak.get() + " of " + max);
        // what a run's output leaves behind is gone after a GC: far below the limit, close to where it was before
        assertTrue(after < max * 3 / 4, "heap after a full GC " + after + " of " + max);
        assertTrue(after < before + (48L << 20), "heap after a full GC grew from " + before + " to " + after);
        assertEquals(3, bystanders.size());

        assertEquals("COMPLETED", lineRun.get("status").asText(), "the run of one huge line: " + lineRun);
        assertEquals("COMPLETED", linesRun.get("status").asText(), "the run of many lines: " + linesRun);
        assertHugeLineIsOneCutEntry(activity(flood, oneLine));
        assertManyLinesAreTruncatedAtTheLimit(activity(flood, manyLines));
    }

    /** The 300 MB line is one entry of at most 4,000 characters that counts the rest. */
    private static void assertHugeLineIsOneCutEntry(List<JsonNode> entries) {
        List<String> logs = texts(entries, "log");
        List<String> huge = logs.stream().filter(text -> text.startsWith("xxxx")).toList();
        assertEquals(1, huge.size(), "one entry for the line without a line end; logs: " + abbreviate(logs));
        String text = huge.get(0);
        assertTrue(text.length() <= MAX_ENTRY_CHARS, "an entry of " + text.length() + " characters");
        Matcher cut = CUT.matcher(text);
        assertTrue(cut.matches(), "the entry says how much was cut: ..." + text.substring(Math.max(0, text.length() - 80)));
        assertEquals(FLOOD_BYTES, cut.group(1).length() + Long.parseLong(cut.group(2)), "kept and cut make the whole line");
        assertEquals(0, texts(entries, "truncated").size(), "one line is far from the entry limit");
        assertTrue(texts(entries, "step").stream().anyMatch(step -> step.contains("exit code 0")), "steps: " + texts(entries, "step"));
    }

    /** 3 million lines: the first HANDOFF_ACTIVITY_MAX_ENTRIES are entries, then one {@code truncated}, then only the gateway's own steps. */
    private static void assertManyLinesAreTruncatedAtTheLimit(List<JsonNode> entries) {
        List<String> kinds = entries.stream().map(entry -> entry.path("kind").asText()).toList();
        assertEquals(1, texts(entries, "truncated").size(), "one truncated entry");
        assertEquals(MAX_AGENT_ENTRIES, texts(entries, "log").size(), "log entries up to HANDOFF_ACTIVITY_MAX_ENTRIES");
        int truncated = kinds.indexOf("truncated");
        assertEquals(-1, kinds.subList(truncated, kinds.size()).indexOf("log"), "no agent line after truncated");
        assertTrue(kinds.subList(truncated, kinds.size()).contains("step"), "the gateway's steps follow truncated");
        // each line as printed (a line or two of the sandbox's own may come first)
        long printed = texts(entries, "log").stream().filter(text -> text.equals("0".repeat(99))).count();
        assertTrue(printed >= MAX_AGENT_ENTRIES - 10, printed + " of the entries are the agent's lines");
    }

    /** Every entry of the run, page by page along {@code Link: rel="next"}; seqs are 1..n without a gap. */
    private List<JsonNode> activity(Api api, String runId) {
        List<JsonNode> entries = new ArrayList<>();
        // the last entries (the gateway's closing steps) may still be on their way: read until they stop coming
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            int seen = entries.size();
            entries.clear();
            String next = e2e.notifications("/api/activity?runId=" + runId + "&limit=200");
            while (next != null) {
                RawHttp.Answer page = api.get(next);
                assertEquals(200, page.status(), page.brief());
                page.json().forEach(entries::add);
                String link = page.header("Link");
                next = link == null ? null : e2e.notifications(link.substring(link.indexOf('<') + 1, link.indexOf('>')));
            }
            return seen > 0 && seen == entries.size();
        });
        for (int i = 0; i < entries.size(); i++) {
            assertEquals(i + 1, entries.get(i).path("seq").asLong(), "seq of entry " + i);
            assertTrue(entries.get(i).path("text").asText().length() <= MAX_ENTRY_CHARS, "entry " + (i + 1) + " too long");
        }
        return entries;
    }

    private static List<String> texts(List<JsonNode> entries, String kind) {
        return entries.stream().filter(entry -> kind.equals(entry.path("kind").asText()))
                .map(entry -> entry.path("text").asText()).toList();
    }

    private static String abbreviate(List<String> texts) {
        return texts.stream().map(text -> text.length() > 80 ? text.substring(0, 80) + "...(" + text.length() + ")" : text).toList()
                .toString();
    }

    private JsonNode awaitFinal(Api api, String runId) {
        await().atMost(RUN).pollInterval(Duration.ofSeconds(1))
                .until(() -> List.of("COMPLETED", "FAILED", "CANCELLED").contains(api.run(runId).get("status").asText()));
        return api.run(runId);
    }

    /** The gateway's heap, {@code used} or {@code max}: the sum over its pools, as its Micrometer metrics report it. */
    private long heap(String which) {
        RawHttp.Answer metrics = http.send("GET", e2e.gateway("/q/metrics"), Map.of(), null, Duration.ofSeconds(10));
        assertEquals(200, metrics.status(), "/q/metrics of the gateway");
        double sum = 0;
        Matcher line = HEAP.matcher(metrics.body());
        while (line.find()) {
            if (line.group(1).equals(which) && line.group(2).contains("area=\"heap\"")) {
                sum += Double.parseDouble(line.group(3));
            }
        }
        return (long) sum;
    }

    /** The heap the gateway still uses right after a full GC (asked for with {@code jcmd <pid> GC.run}). */
    private long heapAfterFullGc(String pid) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder("jcmd", pid, "GC.run").redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(jcmd.waitFor(30, TimeUnit.SECONDS), "jcmd GC.run did not finish");
        assertEquals(0, jcmd.exitValue(), "jcmd " + pid + " GC.run: " + output);
        return heap("used");
    }
}
