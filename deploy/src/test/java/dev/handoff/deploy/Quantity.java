package dev.handoff.deploy;

import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kubernetes resource quantities ("512Mi", "1G", "250m", "1"). */
final class Quantity {

    private static final Pattern FORMAT = Pattern.compile("([0-9.]+)([a-zA-Z]*)");
    private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
            Map.entry("", BigDecimal.ONE),
            Map.entry("m", new BigDecimal("0.001")),
            Map.entry("k", BigDecimal.TEN.pow(3)),
            Map.entry("M", BigDecimal.TEN.pow(6)),
            Map.entry("G", BigDecimal.TEN.pow(9)),
            Map.entry("T", BigDecimal.TEN.pow(12)),
            Map.entry("Ki", BigDecimal.valueOf(2).pow(10)),
            Map.entry("Mi", BigDecimal.valueOf(2).pow(20)),
            Map.entry("Gi", BigDecimal.valueOf(2).pow(30)),
            Map.entry("Ti", BigDecimal.valueOf(2).pow(40)));

    private Quantity() {
    }

    static BigDecimal value(String quantity) {
        Matcher m = FORMAT.matcher(quantity.trim());
        if (!m.matches() || !SUFFIXES.containsKey(m.group(2))) {
            throw new IllegalArgumentException("not a Kubernetes quantity: " + quantity);
        }
        return new BigDecimal(m.group(1)).multiply(SUFFIXES.get(m.group(2)));
    }

    static long bytes(String quantity) {
        return value(quantity).longValue();
    }

    static long millicores(String quantity) {
        return value(quantity).multiply(BigDecimal.valueOf(1000)).longValue();
    }
}
