package dev.handoff.run.service;

import dev.handoff.run.Run;
import dev.handoff.web.ProblemException;
import dev.handoff.web.ProblemException.Violation;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The rules of a launch body; every broken field is reported at once, by name. */
public final class LaunchValidation {

    public static final int MAX_INSTRUCTIONS = 10_000;
    public static final int MAX_URL = 2048;
    public static final int MAX_REF = 255;
    public static final int MAX_IDEMPOTENCY_KEY = 255;
    public static final Set<String> PROVIDERS = Set.of("cursor", "local");
    public static final String LOCAL = "local";

    /** {@code git@host:path}, the scp-like form of an SSH URL. */
    private static final Pattern SCP_LIKE = Pattern.compile("[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\\s:][^\\s]*");
    private static final Pattern ILLEGAL_REF_CHARS = Pattern.compile("[\\x00-\\x20\\x7f~^:?*\\[\\\\]");
    private static final Pattern PRINTABLE = Pattern.compile("[\\x21-\\x7e]+");

    /** Checks the body of a launch; throws 400 {@code validation-failed} naming every bad field. */
    public static void validate(Run.Settings settings) {
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
        }
        if (settings.instructions() != null && settings.instructions().length() > MAX_INSTRUCTIONS) {
            violations.add(new Violation("instructions", "must be at most " + MAX_INSTRUCTIONS + " characters"));
        }
        if (settings.provider() != null && !PROVIDERS.contains(settings.provider())) {
            violations.add(new Violation("provider", "must be cursor or local"));
        }
        if (urlProblem == null && settings.provider() != null) {
            String fileProblem = providerProblem(settings.repositoryUrl(), settings.provider());
            if (fileProblem != null) {
                violations.add(new Violation("repositoryUrl", fileProblem));
            }
        }
        if (!violations.isEmpty()) {
            throw invalid(violations);
        }
    }

    /** Once the provider is known (given, or the workspace's configured one): file:// is for the local provider only. */
    public static void validateProvider(String repositoryUrl, String provider) {
        if (provider == null || !PROVIDERS.contains(provider)) {
            throw ProblemException.validation("provider", "must be cursor or local");
        }
        String problem = providerProblem(repositoryUrl, provider);
        if (problem != null) {
            throw ProblemException.validation("repositoryUrl", problem);
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

    private static String providerProblem(String repositoryUrl, String provider) {
        if (repositoryUrl != null && repositoryUrl.regionMatches(true, 0, "file:", 0, 5) && !LOCAL.equals(provider)) {
            return "file:// URLs are only allowed with the local provider";
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
