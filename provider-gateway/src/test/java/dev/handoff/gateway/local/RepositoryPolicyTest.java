package dev.handoff.gateway.local;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryPolicyTest {

    @TempDir
    Path temp;

    @Test
    void fileRepositoriesUnderAnAllowedRootMayBeCloned() throws IOException {
        Path root = Files.createDirectories(temp.resolve("repos"));
        Files.createDirectories(root.resolve("app.git"));
        RepositoryPolicy policy = new RepositoryPolicy(List.of(root.toString()), List.of());
        assertDoesNotThrow(() -> policy.check("file://" + root.resolve("app.git")));
        assertDoesNotThrow(() -> policy.check("file://localhost" + root.resolve("app.git")));
    }

    @Test
    void pathTricksAndOtherFoldersAreRefused() throws IOException {
        Path root = Files.createDirectories(temp.resolve("repos"));
        Path outside = Files.createDirectories(temp.resolve("secret.git"));
        Files.createSymbolicLink(root.resolve("link.git"), outside);
        Files.createDirectories(temp.resolve("repos-evil"));
        RepositoryPolicy policy = new RepositoryPolicy(List.of(root.toString()), List.of());

        assertRefused(policy, "file:///etc", "HANDOFF_LOCAL_REPO_ROOTS");
        assertRefused(policy, "file://" + root + "/../secret.git", "..");
        assertRefused(policy, "file://" + root.resolve("link.git"), "symbolic link");
        assertRefused(policy, "file://" + temp.resolve("repos-evil"), "HANDOFF_LOCAL_REPO_ROOTS");
        assertRefused(policy, "file://otherhost" + root.resolve("app.git"), "another machine");
        assertRefused(policy, root.resolve("app.git").toString(), "only file://");
        assertRefused(policy, "ext::sh -c touch% /tmp/pwned", "not valid");
        assertRefused(policy, "ext::sh", "only file://");
        assertRefused(policy, "--upload-pack=touch /tmp/pwned", "not valid");
        assertRefused(new RepositoryPolicy(List.of(), List.of()), "file://" + root, "HANDOFF_LOCAL_REPO_ROOTS is empty");
    }

    @Test
    void remoteRepositoriesNeedTheirHostAllowed() {
        RepositoryPolicy policy = new RepositoryPolicy(List.of(), List.of("github.com", " GitLab.example.com "));
        assertDoesNotThrow(() -> policy.check("https://github.com/acme/app.git"));
        assertDoesNotThrow(() -> policy.check("ssh://git@gitlab.example.com:2222/acme/app.git"));
        assertDoesNotThrow(() -> policy.check("git@github.com:acme/app.git"));
        assertRefused(policy, "https://evil.example.com/acme/app.git", "HANDOFF_LOCAL_ALLOWED_HOSTS");
        assertRefused(policy, "git@evil.example.com:acme/app.git", "HANDOFF_LOCAL_ALLOWED_HOSTS");
        assertRefused(policy, "https://user:token@evil.example.com/acme/app.git", "HANDOFF_LOCAL_ALLOWED_HOSTS");
        LocalRunFailure failure = assertThrows(LocalRunFailure.class,
                () -> policy.check("https://user:s3cr3t@evil.example.com/acme/app.git"));
        assertTrue(!failure.getMessage().contains("s3cr3t"), "credentials in a URL never reach the message");
    }

    private static void assertRefused(RepositoryPolicy policy, String url, String messagePart) {
        LocalRunFailure failure = assertThrows(LocalRunFailure.class, () -> policy.check(url), url);
        assertEquals(LocalRunFailure.REPOSITORY_NOT_ALLOWED, failure.code());
        assertTrue(failure.getMessage().contains(messagePart), url + " -> " + failure.getMessage());
    }
}
