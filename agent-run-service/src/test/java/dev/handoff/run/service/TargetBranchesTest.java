package dev.handoff.run.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class TargetBranchesTest {

    @Test
    void theSlugIsLowerCaseLettersDigitsAndSingleDashes() {
        assertEquals("add-login-page-oauth-e-mail-v2", TargetBranches.slug("Add login page: OAuth & e-mail (v2)"));
        assertEquals("cafe-creme-brulee", TargetBranches.slug("  Café crème  brûlée!! "));
        assertEquals("task", TargetBranches.slug("!!!"));
        assertEquals("task", TargetBranches.slug(null));
    }

    @Test
    void theSlugIsAtMostFortyCharactersAndDoesNotEndWithADash() {
        String slug = TargetBranches.slug("Refactor the payment provider integration layer to support refunds");
        assertTrue(slug.length() <= 40, slug);
        assertFalse(slug.endsWith("-"), slug);
        assertEquals("refactor-the-payment-provider-integratio", slug);
        assertEquals("a-b", TargetBranches.slug("a".repeat(1) + " " + "b"));
        assertFalse(TargetBranches.slug("x".repeat(39) + " yz").endsWith("-"));
    }

    @Test
    void theDefaultBranchIsHandoffSlugAndTheRunIdsFirstEightCharacters() {
        UUID id = UUID.fromString("1234abcd-0000-4000-8000-000000000000");
        String branch = TargetBranches.defaultFor("Fix bug #12", id);
        assertEquals("handoff/fix-bug-12-1234abcd", branch);
        assertTrue(LaunchValidation.isValidBranchName(branch));
    }

    @Test
    void branchNamesFollowGitsRefRules() {
        for (String good : new String[] {"main", "feature/login", "release-1.2", "handoff/x-1234abcd", "a_b"}) {
            assertTrue(LaunchValidation.isValidBranchName(good), good);
        }
        for (String bad : new String[] {"", "-rf", "a..b", "a b", "a~1", "a^", "a:b", "a?", "a*", "a[", "a\\b",
                "/a", "a/", "a//b", "a.", "a.lock", "x/.hidden", "@", "a@{1}", "a\u0001"}) {
            assertFalse(LaunchValidation.isValidBranchName(bad), bad);
        }
    }
}
