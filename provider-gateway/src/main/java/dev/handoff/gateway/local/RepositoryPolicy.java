package dev.handoff.gateway.local;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which repositories the local provider may clone: {@code file://} repositories under {@code HANDOFF_LOCAL_REPO_ROOTS}
 * and remote ones on a host in {@code HANDOFF_LOCAL_ALLOWED_HOSTS}. Paths are compared both as written and after
 * resolving symbolic links, and {@code ..} is refused outright.
 */
public final class RepositoryPolicy {

    private static final Pattern SCP_LIKE = Pattern.compile("^[A-Za-z0-9._-]+@([A-Za-z0-9.-]+):(?!/)(.+)$");

    private final List<Path> roots;
    private final List<String> hosts;

    public RepositoryPolicy(List<String> roots, List<String> hosts) {
        this.roots = roots.stream().map(String::trim).filter(s -> !s.isEmpty())
                .map(root -> Path.of(root).toAbsolutePath().normalize()).toList();
        this.hosts = hosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
    }

    /** Answers normally when the repository may be cloned; otherwise throws {@code repository-not-allowed}. */
    public void check(String repositoryUrl) {
        if (repositoryUrl == null || repositoryUrl.isBlank()) {
            throw refused("the run has no repository URL");
        }
        String url = repositoryUrl.strip();
        if (url.startsWith("-") || url.chars().anyMatch(Character::isISOControl)) {
            throw refused("the repository URL is not valid");
        }
        Matcher scp = SCP_LIKE.matcher(url);
        if (scp.matches()) {
            checkHost(scp.group(1), url);
            return;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw refused("the repository URL is not valid");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "file" -> checkFile(uri, url);
            case "https", "http", "ssh" -> {
                if (uri.getHost() == null) {
                    throw refused("the repository URL has no host");
                }
                checkHost(uri.getHost(), url);
            }
            default -> throw refused("only file://, https://, ssh:// and git@host:path repositories can be cloned, not "
                    + RunText.redactUrl(url));
        }
    }

    private void checkHost(String host, String url) {
        String name = host.toLowerCase(Locale.ROOT);
        if (!hosts.contains(name)) {
            throw refused("the host " + name + " of " + RunText.redactUrl(url)
                    + " is not in HANDOFF_LOCAL_ALLOWED_HOSTS; the operator can add it there");
        }
    }

    private void checkFile(URI uri, String url) {
        if (uri.getHost() != null && !uri.getHost().isEmpty() && !"localhost".equalsIgnoreCase(uri.getHost())) {
            throw refused(url + " names another machine; only local file:// repositories can be cloned");
        }
        String rawPath = uri.getPath();
        if (rawPath == null || !rawPath.startsWith("/")) {
            throw refused(url + " is not an absolute file:// URL");
        }
        if (List.of(rawPath.split("/")).contains("..")) {
            throw refused(url + " contains '..'; give the repository's real path");
        }
        if (roots.isEmpty()) {
            throw refused("no file:// repositories are allowed: HANDOFF_LOCAL_REPO_ROOTS is empty");
        }
        Path path = Path.of(rawPath).normalize();
        Optional<Path> root = roots.stream().filter(path::startsWith).findFirst();
        if (root.isEmpty()) {
            throw refused(url + " is not under HANDOFF_LOCAL_REPO_ROOTS; the operator can add its folder there");
        }
        if (Files.exists(path)) {
            try {
                Path real = path.toRealPath();
                Path realRoot = root.get().toRealPath();
                if (!real.startsWith(realRoot)) {
                    throw refused(url + " leads outside HANDOFF_LOCAL_REPO_ROOTS through a symbolic link");
                }
            } catch (IOException e) {
                throw refused(url + " cannot be read");
            }
        }
    }

    private static LocalRunFailure refused(String message) {
        return new LocalRunFailure(LocalRunFailure.REPOSITORY_NOT_ALLOWED, message);
    }
}
