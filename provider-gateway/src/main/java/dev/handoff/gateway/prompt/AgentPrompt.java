package dev.handoff.gateway.prompt;

import dev.handoff.events.AgentContext;
import dev.handoff.events.FollowUp;
import dev.handoff.events.RunRequested;
import java.util.Comparator;
import java.util.List;

/**
 * The one template every agent is given, whatever the provider: the task's title and description, its acceptance
 * criteria as a checklist, its subtasks in order as implementation steps, the brief it belongs to, the additional
 * instructions of the run, and the branch the work goes to. Read top to bottom, it is the prompt. A follow-up's prompt
 * says so first, with its instructions and what the earlier run did, then the same task and brief.
 */
public final class AgentPrompt {

    private AgentPrompt() {
    }

    public static String render(RunRequested request, String targetBranch) {
        AgentContext.Task task = request.context() == null ? null : request.context().task();
        AgentContext.Brief brief = request.context() == null ? null : request.context().brief();
        StringBuilder prompt = new StringBuilder();

        prompt.append("# Task: ").append(title(request)).append("\n\n");
        FollowUp followUp = request.followUp();
        if (followUp != null) {
            prompt.append("This is a follow-up: an earlier run already worked on this task and pushed its changes to the branch `")
                    .append(targetBranch).append("`, which is checked out for you. Continue from there: do what the")
                    .append(" follow-up instructions below ask, keep what is already done unless they say otherwise, and")
                    .append(" leave the repository in a state that builds and passes its tests.\n\n");
            prompt.append("## Follow-up instructions\n\n").append(orNone(request.instructions())).append("\n\n");
            prompt.append("## What the earlier run did\n\n").append(orNone(followUp.summary())).append("\n\n");
            if (followUp.pullRequestUrl() != null) {
                prompt.append("Its pull request: ").append(followUp.pullRequestUrl()).append("\n\n");
            }
            prompt.append("The task and its brief follow, for context.\n\n");
        } else {
            prompt.append("You are a coding agent working in the repository ").append(request.repositoryUrl())
                    .append(", starting from the branch `").append(request.branch()).append("`.\n")
                    .append("Make the change this task describes, keep it focused, and leave the repository in a state that")
                    .append(" builds and passes its tests.\n\n");
        }

        prompt.append("## Description\n\n").append(orNone(task == null ? null : task.description())).append("\n\n");

        prompt.append("## Acceptance criteria\n\n");
        List<String> criteria = task == null || task.acceptanceCriteria() == null ? List.of() : task.acceptanceCriteria();
        if (criteria.isEmpty()) {
            prompt.append("(none given)\n");
        }
        criteria.forEach(criterion -> prompt.append("- [ ] ").append(oneLine(criterion)).append('\n'));
        prompt.append('\n');

        prompt.append("## Implementation steps\n\n");
        List<AgentContext.Subtask> steps = task == null || task.subtasks() == null ? List.of()
                : task.subtasks().stream().sorted(Comparator.comparingInt(AgentContext.Subtask::position)).toList();
        if (steps.isEmpty()) {
            prompt.append("(no steps given: plan them yourself)\n");
        }
        for (int i = 0; i < steps.size(); i++) {
            AgentContext.Subtask step = steps.get(i);
            prompt.append(i + 1).append(". ").append(oneLine(step.title()));
            if (step.description() != null && !step.description().isBlank()) {
                prompt.append(": ").append(step.description().strip().replace("\n", "\n   "));
            }
            prompt.append('\n');
        }
        prompt.append('\n');

        if (brief != null) {
            prompt.append("## Brief: ").append(oneLine(brief.title())).append("\n\n")
                    .append("The task is part of this brief; use it for context.\n\n")
                    .append(orNone(brief.content())).append("\n\n");
        }

        if (followUp == null) {
            prompt.append("## Additional instructions\n\n")
                    .append(orNone(request.instructions())).append("\n\n");
        }

        prompt.append("## Target branch\n\n");
        if (followUp != null) {
            prompt.append("Your work goes to the same branch `").append(targetBranch).append("`, on top of the earlier run's,")
                    .append(" and the same pull request into `").append(request.branch()).append("` shows it.\n");
        } else {
            prompt.append("Your work goes to the branch `").append(targetBranch).append("`, and a pull request from it into `")
                    .append(request.branch()).append("` is opened when you are done.\n");
        }
        return prompt.toString();
    }

    /** The run's target branch, or the contract's default: {@code handoff/<task-slug>-<run-id-first-8>}. */
    public static String targetBranch(RunRequested request) {
        if (request.targetBranch() != null && !request.targetBranch().isBlank()) {
            return request.targetBranch().strip();
        }
        String slug = title(request).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (slug.length() > 40) {
            slug = slug.substring(0, 40).replaceAll("-+$", "");
        }
        return "handoff/" + (slug.isEmpty() ? "task" : slug) + "-" + request.runId().toString().substring(0, 8);
    }

    public static String title(RunRequested request) {
        AgentContext.Task task = request.context() == null ? null : request.context().task();
        return task == null || task.title() == null || task.title().isBlank() ? "Task " + request.taskId() : oneLine(task.title());
    }

    private static String orNone(String text) {
        return text == null || text.isBlank() ? "(none)" : text.strip();
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
