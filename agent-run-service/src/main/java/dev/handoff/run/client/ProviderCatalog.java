package dev.handoff.run.client;

import java.util.List;
import java.util.Optional;

/**
 * The providers the gateway has, as last learned from it. The run service lists none itself: a provider is valid when
 * the gateway has it. {@link #UNKNOWN} when the gateway could not be asked yet; checks that need the list are then
 * left to the gateway's answer for the workspace and to the gateway itself.
 */
public record ProviderCatalog(List<ProviderInfo> providers) {

    public static final ProviderCatalog UNKNOWN = new ProviderCatalog(null);

    public boolean known() {
        return providers != null;
    }

    public Optional<ProviderInfo> named(String name) {
        return providers == null ? Optional.empty() : providers.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** {@code "cursor or local"}. */
    public String names() {
        List<String> names = providers == null ? List.of() : providers.stream().map(ProviderInfo::name).sorted().toList();
        if (names.size() <= 1) {
            return String.join("", names);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }

    /** {@code "the local provider"}: those that take {@code file://} repositories. */
    public String fileProviders() {
        List<String> names = providers == null ? List.of()
                : providers.stream().filter(ProviderInfo::fileRepositories).map(ProviderInfo::name).sorted().toList();
        return names.isEmpty() ? "no provider" : "the " + String.join(" or ", names) + " provider";
    }
}
