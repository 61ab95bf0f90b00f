package dev.handoff.tasks.service;

import dev.handoff.web.ProblemException;
import dev.handoff.web.ProblemException.Violation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.Validator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Checks client input against the bean constraints of the input records and names each violation by its JSON path
 * ({@code subtasks[2].title}, {@code acceptanceCriteria[0]}), so a client can point at the field.
 */
@ApplicationScoped
public class InputValidation {

    private final Validator validator;

    public InputValidation(Validator validator) {
        this.validator = validator;
    }

    public void requireValid(BriefInput input) {
        ProblemException.throwIfAny(violations(input, ""));
    }

    /** Checks a task; {@code existingSubtaskIds} are the ids a subtask may name (none when creating). */
    public void requireValid(TaskInput input, Set<UUID> existingSubtaskIds) {
        ProblemException.throwIfAny(violations(input, "", existingSubtaskIds));
    }

    public List<Violation> violations(Object input, String prefix) {
        if (input == null) {
            return List.of(new Violation(prefix.isEmpty() ? "body" : strip(prefix), "must not be null"));
        }
        return validator.validate(input).stream()
                .map(v -> new Violation(prefix + pathOf(v.getPropertyPath()), v.getMessage()))
                .sorted(Comparator.comparing(Violation::field))
                .toList();
    }

    public List<Violation> violations(TaskInput input, String prefix, Set<UUID> existingSubtaskIds) {
        List<Violation> found = new ArrayList<>(violations((Object) input, prefix));
        if (input == null) {
            return found;
        }
        Set<UUID> seen = new HashSet<>();
        List<SubtaskInput> subtasks = input.subtasksOrEmpty();
        for (int i = 0; i < subtasks.size(); i++) {
            SubtaskInput subtask = subtasks.get(i);
            if (subtask == null || subtask.id() == null) {
                continue;
            }
            String field = prefix + "subtasks[" + i + "].id";
            if (!existingSubtaskIds.contains(subtask.id())) {
                found.add(new Violation(field, "is not a subtask of this task (leave it out for a new subtask)"));
            } else if (!seen.add(subtask.id())) {
                found.add(new Violation(field, "appears more than once"));
            }
        }
        found.sort(Comparator.comparing(Violation::field));
        return found;
    }

    /** {@code subtasks[2].title} from the validator's path; list elements get their index, never a node name. */
    static String pathOf(Path path) {
        StringBuilder field = new StringBuilder();
        for (Path.Node node : path) {
            if (node.getIndex() != null) {
                field.append('[').append(node.getIndex()).append(']');
            }
            if (node.getKind() == ElementKind.PROPERTY && node.getName() != null) {
                if (!field.isEmpty()) {
                    field.append('.');
                }
                field.append(node.getName());
            }
        }
        return field.toString();
    }

    private static String strip(String prefix) {
        return prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }
}
