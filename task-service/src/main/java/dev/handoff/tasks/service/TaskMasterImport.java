package dev.handoff.tasks.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.web.StrictJson;
import dev.handoff.tasks.rest.TaskView;
import dev.handoff.tasks.Subtask;
import dev.handoff.tasks.Task;
import dev.handoff.web.ProblemException;
import dev.handoff.web.ProblemException.Violation;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Imports a Task Master {@code tasks.json} into a brief, all or nothing. Task Master fields map as follows:
 * {@code title} -> title; {@code description} + {@code details} -> description (details appended under a
 * "Details" heading), followed by a plain-text line with the Task Master id, priority, status and dependencies;
 * {@code testStrategy} -> acceptance criteria (one per bullet or numbered item, else one per line, else one per
 * sentence); {@code subtasks} -> subtasks in file order (description + details + testStrategy, and the subtask's
 * Task Master id and dependencies). Other fields are ignored. A tagged file imports one tag: the one asked for,
 * else {@code master}, else the first.
 */
@ApplicationScoped
public class TaskMasterImport {

    public static final int MAX_TASKS = 500;
    private static final int MAX_REPORTED_VIOLATIONS = 50;
    private static final String DEFAULT_TAG = "master";
    private static final String NOT_A_FILE = "expected a Task Master tasks.json: {\"tasks\": [...]} or "
            + "{\"<tag>\": {\"tasks\": [...]}}";
    private static final Pattern BULLET = Pattern.compile("^(?:[-*+\u2022]|\\d{1,3}[.)])\\s+(?:\\[[ xX]\\]\\s+)?(.*)$");
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+(?=[A-Z0-9\"'(\\[`])");

    private final TaskService tasks;
    private final InputValidation validation;

    public TaskMasterImport(TaskService tasks, InputValidation validation) {
        this.tasks = tasks;
        this.validation = validation;
    }

    /** The brief must exist (404), then the file must be valid as a whole (400), then every task is created. */
    public Uni<List<TaskView>> importInto(String workspaceId, UUID briefId, JsonNode file, String tag) {
        return tasks.requireBrief(workspaceId, briefId)
                .map(ignored -> read(file, tag))
                .chain(inputs -> tasks.createAll(workspaceId, briefId, inputs));
    }

    /** The file as task inputs, in file order; throws one validation problem listing everything wrong. */
    List<TaskInput> read(JsonNode file, String requestedTag) {
        if (file == null || !file.isObject()) {
            throw ProblemException.invalid(List.of(new Violation("body", NOT_A_FILE)));
        }
        String base;
        JsonNode taskNodes;
        if (file.has("tasks")) {
            if (requestedTag != null) {
                throw ProblemException.invalid(List.of(new Violation("tag", "the file has no tags")));
            }
            base = "tasks";
            taskNodes = file.get("tasks");
        } else {
            String chosen = chooseTag(file, requestedTag);
            base = chosen + ".tasks";
            taskNodes = file.get(chosen).get("tasks");
        }
        if (taskNodes == null || !taskNodes.isArray()) {
            throw ProblemException.invalid(List.of(new Violation(base, "must be an array of tasks")));
        }
        if (taskNodes.isEmpty()) {
            throw ProblemException.invalid(List.of(new Violation(base, "the file has no tasks to import")));
        }
        if (taskNodes.size() > MAX_TASKS) {
            throw ProblemException.invalid(List.of(new Violation(base,
                    "has " + taskNodes.size() + " tasks; at most " + MAX_TASKS + " can be imported at once")));
        }
        List<Violation> problems = new ArrayList<>();
        List<TaskInput> inputs = new ArrayList<>();
        for (int i = 0; i < taskNodes.size(); i++) {
            String path = base + "[" + i + "]";
            TaskInput input = task(taskNodes.get(i), path, problems);
            if (input != null) {
                // the mapping above checks every limit already; this is the same check the API applies
                problems.addAll(validation.violations(input, path + ".", Set.of()));
                inputs.add(input);
            }
        }
        if (!problems.isEmpty()) {
            throw ProblemException.invalid(problems.stream().distinct().limit(MAX_REPORTED_VIOLATIONS).toList());
        }
        return inputs;
    }

    private static String chooseTag(JsonNode file, String requested) {
        List<String> tags = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = file.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getValue().isObject() && field.getValue().has("tasks")) {
                tags.add(field.getKey());
            }
        }
        if (tags.isEmpty()) {
            throw ProblemException.invalid(List.of(new Violation("body", NOT_A_FILE)));
        }
        if (requested != null) {
            if (!tags.contains(requested)) {
                throw ProblemException.invalid(List.of(new Violation("tag",
                        "the file has no tag \"" + requested + "\" (it has: " + String.join(", ", tags) + ")")));
            }
            return requested;
        }
        return tags.contains(DEFAULT_TAG) ? DEFAULT_TAG : tags.get(0);
    }

    private static TaskInput task(JsonNode node, String path, List<Violation> problems) {
        if (node == null || !node.isObject()) {
            problems.add(new Violation(path, "must be a task object"));
            return null;
        }
        int before = problems.size();
        String title = title(node, path, problems);
        String description = string(node, "description", path, problems);
        String details = string(node, "details", path, problems);
        String testStrategy = string(node, "testStrategy", path, problems);
        String priority = scalar(node, "priority", path, problems);
        String status = scalar(node, "status", path, problems);
        String id = scalar(node, "id", path, problems);
        List<String> dependencies = dependencies(node, path, problems, null);

        String footer = "Task Master: id " + orDash(id) + "; priority: " + orDash(priority) + "; status: "
                + orDash(status) + "; dependencies: " + (dependencies.isEmpty() ? "none" : String.join(", ", dependencies));
        String fullDescription = compose(description, details, null, footer);
        if (fullDescription.length() > Task.DESCRIPTION_MAX) {
            problems.add(new Violation(path + (details != null ? ".details" : ".description"),
                    "description and details together must be at most " + Task.DESCRIPTION_MAX + " characters"));
        }

        List<String> criteria = criteriaFrom(testStrategy);
        if (criteria.size() > Task.CRITERIA_MAX) {
            problems.add(new Violation(path + ".testStrategy", "gives " + criteria.size()
                    + " acceptance criteria; at most " + Task.CRITERIA_MAX));
        }
        if (criteria.stream().anyMatch(c -> c.length() > Task.CRITERION_MAX)) {
            problems.add(new Violation(path + ".testStrategy",
                    "an item is longer than " + Task.CRITERION_MAX + " characters"));
        }

        List<SubtaskInput> subtasks = subtasks(node, path, id, problems);
        if (problems.size() > before) {
            return null;
        }
        return new TaskInput(title, fullDescription, criteria, subtasks);
    }

    private static List<SubtaskInput> subtasks(JsonNode task, String path, String parentId, List<Violation> problems) {
        JsonNode nodes = task.get("subtasks");
        if (nodes == null || nodes.isNull()) {
            return List.of();
        }
        if (!nodes.isArray()) {
            problems.add(new Violation(path + ".subtasks", "must be an array"));
            return List.of();
        }
        if (nodes.size() > Task.SUBTASKS_MAX) {
            problems.add(new Violation(path + ".subtasks",
                    "has " + nodes.size() + " subtasks; at most " + Task.SUBTASKS_MAX));
            return List.of();
        }
        List<SubtaskInput> list = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            String subPath = path + ".subtasks[" + i + "]";
            JsonNode node = nodes.get(i);
            if (!node.isObject()) {
                problems.add(new Violation(subPath, "must be a subtask object"));
                continue;
            }
            String title = title(node, subPath, problems);
            String description = string(node, "description", subPath, problems);
            String details = string(node, "details", subPath, problems);
            String testStrategy = string(node, "testStrategy", subPath, problems);
            String status = scalar(node, "status", subPath, problems);
            String id = scalar(node, "id", subPath, problems);
            List<String> dependencies = dependencies(node, subPath, problems, parentId);
            String fullId = id == null ? "-" : parentId == null ? id : parentId + "." + id;
            String footer = "Task Master: subtask " + fullId + "; status: " + orDash(status) + "; dependencies: "
                    + (dependencies.isEmpty() ? "none" : String.join(", ", dependencies));
            String fullDescription = compose(description, details, testStrategy, footer);
            if (fullDescription.length() > Subtask.DESCRIPTION_MAX) {
                problems.add(new Violation(subPath + (details != null ? ".details" : ".description"),
                        "description and details together must be at most " + Subtask.DESCRIPTION_MAX + " characters"));
            }
            list.add(new SubtaskInput(null, title, fullDescription));
        }
        return list;
    }

    private static String title(JsonNode node, String path, List<Violation> problems) {
        String title = string(node, "title", path, problems);
        if (title == null || title.isBlank()) {
            if (!node.has("title") || node.get("title").isNull() || node.get("title").isTextual()) {
                problems.add(new Violation(path + ".title", "must not be blank"));
            }
            return null;
        }
        String trimmed = title.strip();
        if (trimmed.length() > Task.TITLE_MAX) {
            problems.add(new Violation(path + ".title", "must be at most " + Task.TITLE_MAX + " characters"));
        }
        return trimmed;
    }

    /** A text field: absent or null is null; anything but a string is a problem. */
    private static String string(JsonNode node, String field, String path, List<Violation> problems) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            problems.add(new Violation(path + "." + field, "must be a string"));
            return null;
        }
        return storable(value.asText(), path + "." + field, problems);
    }

    /** The file is read as a tree, past the shared strict text reading: refuse what PostgreSQL cannot store here. */
    private static String storable(String text, String path, List<Violation> problems) {
        if (text.indexOf('\u0000') >= 0) {
            problems.add(new Violation(path, StrictJson.NUL_MESSAGE));
            return null;
        }
        return text;
    }

    /** A field Task Master writes as a number or a string (ids, priority, status). */
    private static String scalar(JsonNode node, String field, String path, List<Violation> problems) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() && !value.isNumber()) {
            problems.add(new Violation(path + "." + field, "must be a string or a number"));
            return null;
        }
        return storable(value.asText(), path + "." + field, problems);
    }

    /** Dependency ids as written; a subtask's numeric dependency names a sibling, so it gets the parent's id. */
    private static List<String> dependencies(JsonNode node, String path, List<Violation> problems, String parentId) {
        JsonNode value = node.get("dependencies");
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            problems.add(new Violation(path + ".dependencies", "must be an array"));
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode dependency = value.get(i);
            if (dependency.isNumber() && parentId != null) {
                ids.add(parentId + "." + storable(dependency.asText(), path + ".dependencies", problems));
            } else if (dependency.isNumber() || dependency.isTextual()) {
                ids.add(storable(dependency.asText(), path + ".dependencies", problems));
            } else {
                problems.add(new Violation(path + ".dependencies[" + i + "]", "must be a task id"));
            }
        }
        return ids;
    }

    private static String compose(String description, String details, String testStrategy, String footer) {
        List<String> parts = new ArrayList<>();
        if (description != null && !description.isBlank()) {
            parts.add(description.strip());
        }
        if (details != null && !details.isBlank()) {
            parts.add("## Details\n\n" + details.strip());
        }
        if (testStrategy != null && !testStrategy.isBlank()) {
            parts.add("## Test strategy\n\n" + testStrategy.strip());
        }
        parts.add(footer);
        return String.join("\n\n", parts);
    }

    /**
     * Acceptance criteria from a test strategy: one per bullet or numbered item when there are any (lines that
     * continue an item are joined to it, text outside items stands alone), otherwise one per line, and a single
     * line is split into its sentences.
     */
    static List<String> criteriaFrom(String testStrategy) {
        if (testStrategy == null || testStrategy.isBlank()) {
            return List.of();
        }
        List<String> lines = testStrategy.strip().lines().map(String::strip).toList();
        boolean bulleted = lines.stream().anyMatch(line -> BULLET.matcher(line).matches());
        if (bulleted) {
            List<String> items = new ArrayList<>();
            StringBuilder current = null;
            for (String line : lines) {
                Matcher bullet = BULLET.matcher(line);
                if (bullet.matches()) {
                    addIfPresent(items, current);
                    current = new StringBuilder(bullet.group(1).strip());
                } else if (line.isEmpty()) {
                    addIfPresent(items, current);
                    current = null;
                } else if (current == null) {
                    current = new StringBuilder(line);
                } else {
                    current.append(' ').append(line);
                }
            }
            addIfPresent(items, current);
            return items;
        }
        List<String> nonEmpty = lines.stream().filter(line -> !line.isEmpty()).toList();
        if (nonEmpty.size() > 1) {
            return nonEmpty;
        }
        List<String> sentences = SENTENCE_END.splitAsStream(nonEmpty.get(0)).map(String::strip)
                .filter(s -> !s.isEmpty()).collect(Collectors.toList());
        return sentences.size() > Task.CRITERIA_MAX ? nonEmpty : sentences;
    }

    private static void addIfPresent(List<String> items, StringBuilder item) {
        if (item != null && !item.toString().isBlank()) {
            items.add(item.toString().strip());
        }
    }

    private static String orDash(String value) {
        return value == null || value.isBlank() ? "-" : value;
    }
}
