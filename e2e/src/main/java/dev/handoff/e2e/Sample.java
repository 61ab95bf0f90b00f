package dev.handoff.e2e;

import java.util.List;
import java.util.Map;

/** The sample brief and task of the demo and the end-to-end test. */
public final class Sample {

    public static Map<String, Object> brief() {
        return Map.of("title", "Greeter CLI", "content", """
                # Greeter CLI

                A tiny command-line tool that greets people. It must stay dependency-free (Python 3 standard
                library only) and every behaviour has a unit test under `tests/`.

                ## Roadmap
                - Louder greetings for noisy rooms.
                - Greetings in more languages.
                """);
    }

    public static Map<String, Object> task() {
        return task("Add a --shout option to the greeter");
    }

    public static Map<String, Object> task(String title) {
        return Map.of(
                "title", title,
                "description", "People in noisy rooms miss the greeting. `python3 -m greeter --shout Ada` should print"
                        + " the greeting in capitals.",
                "acceptanceCriteria", List.of(
                        "`python3 -m greeter --shout Ada` prints `HELLO, ADA!`",
                        "Without --shout the output is unchanged",
                        "A unit test covers the new option"),
                "subtasks", List.of(
                        Map.of("title", "Parse the --shout flag", "description", "Accept the flag before the name."),
                        Map.of("title", "Uppercase the greeting", "description", "Only when the flag is given."),
                        Map.of("title", "Add a test", "description", "In tests/test_greeter.py.")));
    }

    private Sample() {
    }
}
