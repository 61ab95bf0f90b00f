package dev.handoff.gateway.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A workspace's mirror folder is its own: no id names a path, and no id can be chosen to get another's folder. */
class MirrorFolderTest {

    @Test
    void aPlainIdIsItsOwnFolderAndAnyOtherIdIsHashedWhereNoPlainIdCanBe() {
        assertEquals("acme-2", Mirrors.folderName("acme-2"));
        for (String id : new String[] {"../acme", "a/b", "", ".hidden", "x".repeat(65), "ws with spaces"}) {
            String folder = Mirrors.folderName(id);
            assertTrue(folder.matches("~[0-9a-f]{64}"), id + " -> " + folder);
            assertEquals(1, Path.of(folder).getNameCount(), "one path element");
            // the hashed folder's name, taken as an id, is not a plain id: it is hashed again, to another folder
            assertNotEquals(folder, Mirrors.folderName(folder));
            assertNotEquals(folder, Mirrors.folderName(folder.substring(1)));
        }
    }
}
