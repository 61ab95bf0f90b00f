package dev.handoff.run.service;

import dev.handoff.run.Run;
import dev.handoff.run.client.AgentConfig;
import dev.handoff.run.client.GatewayProviders;
import dev.handoff.run.client.ProviderCatalog;
import dev.handoff.run.client.ProviderInfo;
import dev.handoff.web.ProblemException;
import dev.handoff.web.ProblemException.Violation;
import io.smallrye.mutiny.Uni;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The rules of a launch body; every broken field is reported at once, by name. Which providers exist, and which may
 * clone {@code file://} repositories, is the gateway's answer ({@link ProviderCatalog}); which one a workspace may use
 * is its agent configuration.
 */
public final class LaunchValidation {

    public static final int MAX_INSTRUCTIONS = 10_000;
    public static final int MAX_URL = 2048;
    public static final int MAX_REF = 255;
    public static final int MAX_IDEMPOTENCY_KEY = 255;
    public static final int MAX_PROVIDER = 64;

    /** {@code git@host:path}, the scp-like form of an SSH URL. */
    private static final Pattern SCP_LIKE = Pattern.compile("[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\\s:][^\\s]*");
    private static final Pattern ILLEGAL_REF_CHARS = Pattern.compile("[\\x00-\\x20\\x7f~^:?*\\[\\\\]");
    private static final Pattern PRINTABLE = Pattern.compile("[\\x21-\\x7e]+");

    /**
     * Checks the body of a launch against the providers known so far, without waiting for the gateway: fails with 400
     * {@code validation-failed} naming every bad field. Only a body that is bad anyway and names a provider while none
     * is known yet waits for the gateway's list, so that the answer names every bad field.
     */
    public static Uni<Void> validate(Run.Settings settings, GatewayProviders providers, String bearerToken) {
        ProviderCatalog kept = providers.kept();
        try {
            validate(settings, kept);
            return Uni.createFrom().voidItem();
        } catch (ProblemException invalid) {
            if (kept.known() || settings == null || settings.provider() == null) {
                throw invalid;
            }
            return providers.read(bearerToken)
                    .invoke(known -> validate(settings, known))
                    .chain(() -> Uni.createFrom().failure(invalid));
        }
    }

    /** Checks the body of a launch; throws 400 {@code validation-failed} naming every bad field. */
    public static void validate(Run.Settings settings, ProviderCatalog providers) {
        if (settings == null) {
            throw ProblemException.validation("body", "a JSON object with repositoryUrl and branch is required");
        }
        List<Violation> violations = new ArrayList<>();
        String urlProblem = repositoryUrlProblem(settings.repositoryUrl());
        if (urlProblem != null) {
            violations.add(new Violation("repositoryUrl", urlProblem));
        }
        if (settings.branch() == null || settings.branch().isBlank()) {
            violations.add(new Violation("branch", "must not be blank"));
        } else if (!isValidBranchName(settings.branch())) {
            violations.add(new Violation("branch", "must be a valid git branch name"));
        }
        if (settings.targetBranch() != null && !isValidBranchName(settings.targetBranch())) {
            violations.add(new Violation("targetBranch", "must be a valid git branch name"));
        } else if (settings.targetBranch() != null && settings.targetBranch().equals(settings.branch())) {
            violations.add(new Violation("targetBranch", "must differ from branch: a run never pushes to the branch it starts from"));
        }
        if (settings.instructions() != null && settings.instructions().length() > MAX_INSTRUCTIONS) {
            violations.add(new Violation("instructions", "must be at most " + MAX_INSTRUCTIONS + " characters"));
        }
        if (settings.provider() != null) {
            if (settings.provider().isBlank() || settings.provider().length() > MAX_PROVIDER
                    || providers.known() && providers.named(settings.provider()).isEmpty()) {
                violations.add(new Violation("provider", providers.known()
                        ? "must be " + providers.names() : "must be the name of one of the gateway's providers"));
            } else if (urlProblem == null) {
                String fileProblem = fileProblem(settings.repositoryUrl(), settings.provider(), providers);
                if (fileProblem != null) {
                    violations.add(new Violation("repositoryUrl", fileProblem));
                }
            }
        }
        if (!violations.isEmpty()) {
            throw invalid(violations);
        }
    }

    /**
     * The provider a launch runs on, given the workspace's agent configuration (empty: none): the one asked for, or
     * the configured one. 422 {@code agents-not-configured} / {@code agents-disabled} for a workspace without agents,
     * 400 for a name that is none of the gateway's providers or a {@code file://} repository the provider cannot
     * clone, 422 {@code provider-not-enabled} for any provider but the one its admin configured and enabled.
     */
    public static String provider(Run.Settings requested, Optional<AgentConfig> agents, ProviderCatalog providers) {
        AgentConfig config = agents.orElseThrow(() -> ProblemException.unprocessable(
                "agents-not-configured", "this workspace has no agent configuration yet"));
        if (!config.enabled()) {
            throw ProblemException.unprocessable("agents-disabled", "agents are disabled in this workspace");
        }
        String provider = requested.provider() != null ? requested.provider() : config.provider();
        if (providers.known() && providers.named(provider).isEmpty()) {
            throw ProblemException.validation("provider", "must be " + providers.names());
        }
        String problem = fileProblem(requested.repositoryUrl(), provider, providers);
        if (problem != null) {
            throw ProblemException.validation("repositoryUrl", problem);
        }
        if (!provider.equals(config.provider())) {
            throw ProblemException.unprocessable("provider-not-enabled", "this workspace's admin enabled the "
                    + config.provider() + " provider, not " + provider);
        }
        return provider;
    }

    /** A follow-up's instructions: required, 1-10,000 characters. */
    public static void validateFollowUpInstructions(String instructions) {
        if (instructions == null || instructions.isBlank()) {
            throw invalid(List.of(new Violation("instructions", "must not be blank: say what the follow-up should do")));
        }
        if (instructions.length() > MAX_INSTRUCTIONS) {
            throw invalid(List.of(new Violation("instructions", "must be at most " + MAX_INSTRUCTIONS + " characters")));
        }
    }

    public static void validateIdempotencyKey(String key) {
        if (key != null && (key.length() > MAX_IDEMPOTENCY_KEY || !PRINTABLE.matcher(key).matches())) {
            throw ProblemException.validation("Idempotency-Key",
                    "must be 1-" + MAX_IDEMPOTENCY_KEY + " printable ASCII characters");
        }
    }

    /** Git's rules for a ref name (git check-ref-format), applied to a branch name. */
    public static boolean isValidBranchName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_REF || name.equals("@")) {
            return false;
        }
        if (ILLEGAL_REF_CHARS.matcher(name).find() || name.contains("..") || name.contains("@{")
                || name.contains("//")) {
            return false;
        }
        if (name.startsWith("-") || name.startsWith("/") || name.endsWith("/") || name.endsWith(".")) {
            return false;
        }
        for (String component : name.split("/")) {
            if (component.startsWith(".") || component.endsWith(".lock")) {
                return false;
            }
        }
        return true;
    }

    private static String repositoryUrlProblem(String url) {
        if (url == null || url.isBlank()) {
            return "must not be blank";
        }
        if (url.length() > MAX_URL) {
            return "must be at most " + MAX_URL + " characters";
        }
        String shape = "must be an https://, ssh://, git@host:path or file:// URL";
        if (url.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
            return shape;
        }
        if (SCP_LIKE.matcher(url).matches()) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return shape;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
        switch (scheme) {
            case "https", "ssh" -> {
                if (uri.getHost() == null || uri.getHost().isBlank()) {
                    return shape;
                }
                if (uri.getRawUserInfo() != null && uri.getRawUserInfo().contains(":")) {
                    return "must not carry credentials";
                }
                return null;
            }
            case "file" -> {
                return uri.getPath() == null || uri.getPath().isBlank() || !uri.getPath().startsWith("/")
                        ? shape : null;
            }
            default -> {
                return shape;
            }
        }
    }

    /** {@code file://} is for the providers that clone on the gateway's machine (the gateway checks it again). */
    private static String fileProblem(String repositoryUrl, String provider, ProviderCatalog providers) {
        boolean file = repositoryUrl != null && repositoryUrl.regionMatches(true, 0, "file:", 0, 5);
        if (file && providers.named(provider).filter(ProviderInfo::fileRepositories).isEmpty() && providers.known()) {
            return "file:// URLs are only allowed with " + providers.fileProviders();
        }
        return null;
    }

    private static ProblemException invalid(List<Violation> violations) {
        String detail = violations.stream().map(v -> v.field() + ": " + v.message()).collect(Collectors.joining("; "));
        return new ProblemException(400, "validation-failed", "Invalid request", detail,
                Map.of("violations", violations), Map.of());
    }

    private LaunchValidation() {
    }
}
