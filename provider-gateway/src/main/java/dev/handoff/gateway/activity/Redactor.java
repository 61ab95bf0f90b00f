package dev.handoff.gateway.activity;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes a text fit for a run's activity: ANSI escapes and other control characters removed (tabs and line breaks
 * kept), every secret Handoff knows for the run and every credential written in a URL ({@code https://user:token@host})
 * replaced by {@code [redacted]}, and at most {@link #MAX_CHARS} characters.
 *
 * <p>A longer text is <em>cut</em>, not split: it keeps its beginning and says how many characters were dropped.
 * Splitting would turn one 50 MB line into 12,500 entries and spend the run's whole entry budget on it.
 */
public final class Redactor {

    public static final int MAX_CHARS = 4000;
    static final String REDACTED = "[redacted]";
    /**
     * Secrets shorter than this are not searched for: replacing every "abc" of a run's output would make it unreadable
     * and protect nothing (no key or token is that short).
     */
    static final int MIN_SECRET_CHARS = 6;
    /** The shortest beginning of a secret that is redacted where a cut left it at the end of a text. */
    private static final int MIN_PARTIAL_CHARS = 4;

    /** CSI (colours, cursor moves), OSC (titles, links; ended by BEL or ST) and the two-character escapes. */
    private static final Pattern ANSI = Pattern.compile(
            "\u001B\\[[0-?]*[ -/]*[@-~]|\u001B\\][^\u0007\u001B]*(?:\u0007|\u001B\\\\)?|\u001B[@-Z\\\\-_]|\u009B[0-?]*[ -/]*[@-~]");
    /** Control characters besides tab and line feed (a carriage return included: it only ever rewrites a line). */
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x08\\x0B-\\x1F\\x7F\\x80-\\x9F]");
    /** The user-info part of a URL: whatever stands between {@code scheme://} and {@code @}. */
    private static final Pattern URL_CREDENTIALS = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\\s]+@");
    /** A URL whose user info a cut left without its {@code @}: redacted too, it may be half a token. */
    private static final Pattern URL_CREDENTIALS_AT_END = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\\s]+$");

    private final List<String> secrets;

    private Redactor(List<String> secrets) {
        this.secrets = secrets;
    }

    /** Redacts the given secrets (null, blank and too short ones are ignored), longest first. */
    public static Redactor of(Collection<String> secrets) {
        List<String> kept = new ArrayList<>();
        for (String secret : secrets) {
            if (secret == null) {
                continue;
            }
            String s = secret.strip();
            if (s.length() >= MIN_SECRET_CHARS && !kept.contains(s)) {
                kept.add(s);
            }
        }
        kept.sort(Comparator.comparingInt(String::length).reversed());
        return new Redactor(List.copyOf(kept));
    }

    /** Knows no secret of its own: still removes escapes, URL credentials and length. */
    public static Redactor none() {
        return new Redactor(List.of());
    }

    /** The password (or lone user name) in a URL's user info, so that it is redacted also where printed alone. */
    public static List<String> credentialsOf(String url) {
        if (url == null) {
            return List.of();
        }
        Matcher matcher = Pattern.compile("://([^/?#@\\s]+)@").matcher(url);
        if (!matcher.find()) {
            return List.of();
        }
        String userInfo = matcher.group(1);
        int colon = userInfo.indexOf(':');
        return List.of(colon < 0 ? userInfo : userInfo.substring(colon + 1));
    }

    /** See {@link Redactor}; {@code cutChars} is how many characters were dropped from the end of {@code text} before. */
    public String clean(String text, long cutChars) {
        if (text == null) {
            return "";
        }
        String clean = CONTROL.matcher(ANSI.matcher(text).replaceAll("")).replaceAll("");
        for (String secret : secrets) {
            if (clean.contains(secret)) {
                clean = clean.replace(secret, REDACTED);
            }
        }
        clean = URL_CREDENTIALS.matcher(clean).replaceAll("$1" + REDACTED + "@");
        if (cutChars <= 0 && clean.length() <= MAX_CHARS) {
            return clean;
        }
        long dropped = Math.max(0, cutChars);
        // room for the suffix (with the largest number it may carry) and for a partial secret's [redacted]
        int room = MAX_CHARS - cutSuffix(dropped + clean.length()).length() - REDACTED.length();
        if (clean.length() > room) {
            int keep = Character.isHighSurrogate(clean.charAt(room - 1)) ? room - 1 : room;
            dropped += clean.length() - keep;
            clean = clean.substring(0, keep);
        }
        return redactPartialAtEnd(clean) + cutSuffix(dropped);
    }

    /**
     * Where a cut went through a secret, the text ends with its beginning; that part goes too. So does the user info
     * of a URL whose {@code @} was cut off.
     */
    private String redactPartialAtEnd(String text) {
        for (String secret : secrets) {
            for (int length = Math.min(secret.length() - 1, text.length()); length >= MIN_PARTIAL_CHARS; length--) {
                if (text.regionMatches(text.length() - length, secret, 0, length)) {
                    return text.substring(0, text.length() - length) + REDACTED;
                }
            }
        }
        return URL_CREDENTIALS_AT_END.matcher(text).replaceAll("$1" + REDACTED);
    }

    private static String cutSuffix(long dropped) {
        return " [cut: " + dropped + " more characters]";
    }
}
