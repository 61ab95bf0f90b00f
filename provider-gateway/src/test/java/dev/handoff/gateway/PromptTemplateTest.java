package dev.handoff.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.RunRequested;
import dev.handoff.gateway.prompt.AgentPrompt;
import org.junit.jupiter.api.Test;

class PromptTemplateTest {

    @Test
    void thePromptHasEverySectionInOrderWithCriteriaAsAChecklistAndStepsByPosition() {
        RunRequested request = TestRuns.request("ws", "local", "Add a shout option", "file:///repos/app.git", null);
        String prompt = AgentPrompt.render(request, "handoff/add-a-shout-option-1234abcd");

        assertTrue(prompt.startsWith("# Task: Add a shout option\n"), prompt);
        int description = prompt.indexOf("## Description\n\nMake the greeting configurable.");
        int criteria = prompt.indexOf("## Acceptance criteria\n\n- [ ] The README mentions the change\n- [ ] Existing tests still pass\n");
        int steps = prompt.indexOf("## Implementation steps\n\n1. Add the option: Parse --shout.\n2. Write the test: A test for the new option.\n");
        int brief = prompt.indexOf("## Brief: Greeter improvements");
        int instructions = prompt.indexOf("## Additional instructions\n\nKeep the change small.");
        int target = prompt.indexOf("## Target branch\n\nYour work goes to the branch `handoff/add-a-shout-option-1234abcd`");
        assertTrue(description > 0 && criteria > description && steps > criteria && brief > steps && instructions > brief
                && target > instructions, prompt);
        assertEquals("Add a shout option", AgentPrompt.title(request));
    }
}
