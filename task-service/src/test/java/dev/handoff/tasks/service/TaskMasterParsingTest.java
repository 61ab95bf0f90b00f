package dev.handoff.tasks.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.web.ProblemException;
import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reading a Task Master {@code tasks.json} into task inputs: plain JUnit, no Quarkus, no database. The import through
 * the API, all or nothing, is {@code TaskMasterImportTest}.
 */
class TaskMasterParsingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static ValidatorFactory validators;
    private static TaskMasterImport reader;

    @BeforeAll
    static void aReaderWithBeanValidationAndNoService() {
        validators = Validation.byDefaultProvider().configure()
                .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory();
        reader = new TaskMasterImport(null, new InputValidation(validators.getValidator()));
    }

    @AfterAll
    static void close() {
        validators.close();
    }

    @Test
    void aPlainFileGivesOneTaskPerEntryInFileOrder() throws IOException {
        List<TaskInput> tasks = reader.read(resource("tasks-plain.json"), null);
        assertEquals(3, tasks.size());
        assertEquals("Set up the checkout service skeleton", tasks.get(0).title());
        assertEquals("Model carts and cart lines", tasks.get(1).title());
    }

    @Test
    void descriptionDetailsAndTheTaskMasterFieldsMakeTheDescription() throws IOException {
        TaskInput carts = reader.read(resource("tasks-plain.json"), null).get(1);
        String description = carts.description();
        assertTrue(description.startsWith("Persist carts per user with their lines.\n\n## Details\n\nA cart has an id"), description);
        assertTrue(description.endsWith("Task Master: id 2; priority: high; status: in-progress; dependencies: 1"), description);
    }

    @Test
    void aTestStrategyOfBulletsGivesOneCriterionPerBullet() throws IOException {
        TaskInput skeleton = reader.read(resource("tasks-plain.json"), null).get(0);
        assertEquals(List.of("The service starts locally with `./mvnw quarkus:dev`",
                "`/q/health/ready` answers 200 when PostgreSQL is up", "CI builds the image on every push"),
                skeleton.acceptanceCriteria());
    }

    @Test
    void aOneLineTestStrategyIsSplitIntoSentences() throws IOException {
        TaskInput carts = reader.read(resource("tasks-plain.json"), null).get(1);
        assertEquals(List.of("Unit tests cover adding, removing and updating lines.",
                "A repository test creates a cart with three lines and reads it back in the same order.",
                "Negative quantities are rejected."), carts.acceptanceCriteria());
    }

    @Test
    void subtasksKeepTheirOrderAndNameSiblingDependenciesWithTheParentsId() throws IOException {
        List<SubtaskInput> subtasks = reader.read(resource("tasks-plain.json"), null).get(1).subtasks();
        assertEquals(List.of("Write the Flyway migration", "Create the entities", "Validate quantities and prices"),
                subtasks.stream().map(SubtaskInput::title).toList());
        assertTrue(subtasks.get(1).description().endsWith("Task Master: subtask 2.2; status: pending; dependencies: 2.1"),
                subtasks.get(1).description());
        assertTrue(subtasks.get(2).description().contains("## Test strategy\n\nPost a line with quantity 0 and expect 400."),
                subtasks.get(2).description());
        assertEquals(null, subtasks.get(0).id(), "imported subtasks are new");
    }

    @Test
    void criteriaComeFromItemsThenLinesThenSentences() {
        assertEquals(List.of("first item continued", "second"),
                TaskMasterImport.criteriaFrom("1. first item\n   continued\n2) second"));
        assertEquals(List.of("done", "checked"), TaskMasterImport.criteriaFrom("- [x] done\n* [ ] checked"));
        assertEquals(List.of("Line one", "Line two"), TaskMasterImport.criteriaFrom("Line one\n\nLine two"));
        assertEquals(List.of("It works.", "It is fast!"), TaskMasterImport.criteriaFrom("It works. It is fast!"));
        assertEquals(List.of(), TaskMasterImport.criteriaFrom("  "));
        assertEquals(List.of(), TaskMasterImport.criteriaFrom(null));
    }

    @Test
    void aTaggedFileImportsTheTagAskedForElseMasterElseTheFirst() throws IOException {
        JsonNode tagged = JSON.readTree("""
                {"feature": {"tasks": [{"id": 1, "title": "Feature task"}]},
                 "master": {"tasks": [{"id": 1, "title": "Master task"}]}}""");
        assertEquals("Master task", reader.read(tagged, null).get(0).title());
        assertEquals("Feature task", reader.read(tagged, "feature").get(0).title());
        JsonNode untagged = JSON.readTree("""
                {"b": {"tasks": [{"title": "First tag"}]}, "c": {"tasks": [{"title": "Second tag"}]}}""");
        assertEquals("First tag", reader.read(untagged, null).get(0).title());
        ProblemException unknown = assertThrows(ProblemException.class, () -> reader.read(tagged, "nope"));
        assertEquals(400, unknown.status());
        assertTrue(unknown.problem().detail.contains("the file has no tag \"nope\" (it has: feature, master)"),
                unknown.problem().detail);
    }

    @Test
    void everythingWrongInTheFileIsReportedAtOnceWithItsPath() throws IOException {
        JsonNode broken = JSON.readTree("""
                {"tasks": [{"title": "  "}, {"title": "ok", "dependencies": "1"}, 7,
                           {"title": "fine", "subtasks": [{"title": 5}]}]}""");
        ProblemException problem = assertThrows(ProblemException.class, () -> reader.read(broken, null));
        assertEquals("validation-failed", problem.code());
        String detail = problem.problem().detail;
        assertTrue(detail.contains("tasks[0].title: must not be blank"), detail);
        assertTrue(detail.contains("tasks[1].dependencies: must be an array"), detail);
        assertTrue(detail.contains("tasks[2]: must be a task object"), detail);
        assertTrue(detail.contains("tasks[3].subtasks[0].title: must be a string"), detail);
    }

    @Test
    void notATaskMasterFileOrAnEmptyOneIsRefused() throws IOException {
        assertTrue(assertThrows(ProblemException.class, () -> reader.read(JSON.readTree("[1, 2]"), null))
                .problem().detail.startsWith("body: expected a Task Master tasks.json"));
        assertTrue(assertThrows(ProblemException.class, () -> reader.read(JSON.readTree("{\"tasks\": []}"), null))
                .problem().detail.contains("the file has no tasks to import"));
        assertTrue(assertThrows(ProblemException.class, () -> reader.read(JSON.readTree("{\"tasks\": [{\"title\": \"t\"}]}"), "x"))
                .problem().detail.contains("tag: the file has no tags"));
    }

    private static JsonNode resource(String name) throws IOException {
        try (InputStream in = TaskMasterParsingTest.class.getResourceAsStream("/taskmaster/" + name)) {
            return JSON.readTree(in);
        }
    }
}
