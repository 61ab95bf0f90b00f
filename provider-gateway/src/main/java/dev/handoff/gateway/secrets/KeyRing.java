package dev.handoff.gateway.secrets;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The key-encryption keys of the database secret store: the current one, which seals every new secret and re-wraps
 * old ones, and older ones, still accepted for reading until every secret is re-wrapped. They come from
 * {@code HANDOFF_SECRETS_KEYS} ({@code id:base64,id:base64,...}, the first is current; an id is a name for people and
 * logs, 1-32 of {@code [A-Za-z0-9._-]}), or, when that is not set, the single {@code HANDOFF_SECRETS_KEY}. A stored
 * secret names its key by the key's fingerprint ({@link EnvelopeCipher#keyId()}), so a key keeps opening what it
 * sealed whatever id it is given and whichever variable holds it.
 */
public record KeyRing(List<Key> keys) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,32}");

    /** One key: the operator's id for it and its cipher. */
    public record Key(String id, EnvelopeCipher cipher) {

        @Override
        public String toString() {
            return "Key[id=" + id + ", kekId=" + cipher.keyId() + "]";
        }
    }

    public KeyRing {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("a key ring needs at least one key");
        }
        keys = List.copyOf(keys);
    }

    /** The ring from the configuration: {@code HANDOFF_SECRETS_KEYS} when set, else {@code HANDOFF_SECRETS_KEY}. */
    public static KeyRing configured(Optional<String> keysVariable, Optional<String> keyVariable, boolean production) {
        String listed = keysVariable.map(String::strip).filter(s -> !s.isEmpty()).orElse(null);
        if (listed == null) {
            return new KeyRing(List.of(new Key("default", new EnvelopeCipher(SecretsKey.resolve(keyVariable, production)))));
        }
        return parse(listed);
    }

    /** Parses {@code id:base64,id:base64}; a malformed entry fails naming its position or id, never key material. */
    static KeyRing parse(String listed) {
        List<Key> keys = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Set<String> kekIds = new HashSet<>();
        String[] entries = listed.split(",");
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].strip();
            int colon = entry.indexOf(':');
            if (colon < 0) {
                throw new IllegalStateException("HANDOFF_SECRETS_KEYS entry " + (i + 1) + " is not id:base64-key");
            }
            String id = entry.substring(0, colon).strip();
            if (!ID.matcher(id).matches()) {
                throw new IllegalStateException("HANDOFF_SECRETS_KEYS entry " + (i + 1)
                        + " has an invalid id (1-32 letters, digits, '.', '_' or '-')");
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(entry.substring(colon + 1).strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("HANDOFF_SECRETS_KEYS key " + id + " is not valid base64");
            }
            if (key.length != 32) {
                throw new IllegalStateException("HANDOFF_SECRETS_KEYS key " + id + " must be the base64 of exactly 32 bytes, not "
                        + key.length);
            }
            EnvelopeCipher cipher = new EnvelopeCipher(key);
            if (!ids.add(id)) {
                throw new IllegalStateException("HANDOFF_SECRETS_KEYS names the id " + id + " twice");
            }
            if (!kekIds.add(cipher.keyId())) {
                throw new IllegalStateException("HANDOFF_SECRETS_KEYS lists the same key twice (" + id + ")");
            }
            keys.add(new Key(id, cipher));
        }
        return new KeyRing(keys);
    }

    /** The key that seals new secrets. */
    public Key current() {
        return keys.get(0);
    }

    /** The key that sealed a stored secret, by the fingerprint stored with it. */
    public Optional<Key> byKekId(String kekId) {
        return keys.stream().filter(k -> k.cipher().keyId().equals(kekId)).findFirst();
    }

    /** The fingerprints of the older keys (those still accepted for reading). */
    public List<String> oldKekIds() {
        return keys.subList(1, keys.size()).stream().map(k -> k.cipher().keyId()).toList();
    }

    /** The configured ids, current first, for messages. */
    public List<String> ids() {
        return keys.stream().map(Key::id).toList();
    }
}
