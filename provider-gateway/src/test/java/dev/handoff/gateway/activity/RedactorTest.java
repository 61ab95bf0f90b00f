package dev.handoff.gateway.activity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a text becomes before it is an activity entry. */
class RedactorTest {

    private static final String KEY = "key_live_0123456789abcdef";
    private final Redactor redactor = Redactor.of(List.of(KEY, "ghp_tokenTOKENtoken42", "abc"));

    @Test
    void ansiEscapesAndControlCharactersGoTabsAndLineBreaksStay() {
        assertEquals("red bold\tplain\nnext", redactor.clean("\u001B[1;31mred bold\u001B[0m\tplain\r\nnext\u0007", 0));
        assertEquals("title gone, link text", redactor.clean("\u001B]0;a title\u0007title gone, \u001B]8;;http://x\u001B\\link text", 0));
    }

    @Test
    void everyKnownSecretAndEveryUrlCredentialIsRedacted() {
        assertEquals("key=[redacted] and again [redacted]", redactor.clean("key=" + KEY + " and again " + KEY, 0));
        assertEquals("push https://[redacted]@github.com/acme/x.git done",
                redactor.clean("push https://x-access-token:unknownSecret99@github.com/acme/x.git done", 0));
        assertEquals("clone https://[redacted]@host/x", redactor.clean("clone https://ghp_tokenTOKENtoken42@host/x", 0));
        // a secret split by an escape sequence is still found: escapes go first
        assertEquals("[redacted]", redactor.clean("key_live_0123\u001B[0m456789abcdef", 0));
        // too short to be a secret: left alone
        assertEquals("abc", redactor.clean("abc", 0));
    }

    @Test
    void theCredentialsOfARunsRepositoryUrlAreSecretsOfTheirOwn() {
        assertEquals(List.of("s3cr3t-token"), Redactor.credentialsOf("https://user:s3cr3t-token@example.com/x.git"));
        assertEquals(List.of("ghp_only"), Redactor.credentialsOf("https://ghp_only@example.com/x.git"));
        assertEquals(List.of(), Redactor.credentialsOf("file:///srv/repos/x.git"));
        Redactor run = Redactor.of(Redactor.credentialsOf("https://user:s3cr3t-token@example.com/x.git"));
        assertEquals("the token is [redacted]", run.clean("the token is s3cr3t-token", 0));
    }

    @Test
    void aLongTextIsCutToFourThousandCharactersAndSaysHowMuchWasCut() {
        String clean = redactor.clean("y".repeat(10_000), 0);
        assertTrue(clean.length() <= Redactor.MAX_CHARS, () -> "length " + clean.length());
        assertTrue(clean.startsWith("yyyy"));
        long kept = clean.chars().filter(c -> c == 'y').count();
        assertTrue(clean.endsWith(" [cut: " + (10_000 - kept) + " more characters]"), clean.substring(3900));
        // a line the reader already cut says so with the characters it dropped
        assertEquals("short [cut: 123 more characters]", redactor.clean("short", 123));
    }

    @Test
    void aCutThroughASecretLeavesNoneOfIt() {
        String line = "z".repeat(3950) + KEY + "z".repeat(100);
        String clean = redactor.clean(line, 0);
        assertTrue(clean.length() <= Redactor.MAX_CHARS);
        assertFalse(clean.contains("key_live"), clean.substring(3900));
        // the reader cut a line in the middle of a key: its beginning is redacted too
        String cutByReader = redactor.clean("the key is key_live_0123", 40);
        assertEquals("the key is [redacted] [cut: 40 more characters]", cutByReader);
        assertEquals("see https://[redacted] [cut: 9 more characters]", redactor.clean("see https://user:half-a-tok", 9));
    }
}
