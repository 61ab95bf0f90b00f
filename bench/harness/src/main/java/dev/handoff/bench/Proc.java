package dev.handoff.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What Linux says about the machine and our processes: /proc, read directly. */
final class Proc {

    /** Clock ticks per second of /proc/<pid>/stat (USER_HZ); 100 on every Linux we run on, checked with getconf. */
    static final long CLK_TCK = clockTicks();

    private Proc() {
    }

    /** Seconds since boot, to 10 ms (/proc/uptime). */
    static double uptime() {
        return Double.parseDouble(read(Path.of("/proc/uptime")).trim().split("\\s+")[0]);
    }

    /** When the process started, in seconds since boot (field 22 of /proc/<pid>/stat), to one clock tick. */
    static double startedAt(long pid) {
        return Long.parseLong(statFields(pid)[19]) / (double) CLK_TCK;
    }

    /** utime + stime of the process, in clock ticks. */
    static long cpuTicks(long pid) {
        try {
            String[] f = statFields(pid);
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** Fields after the ")" that closes the command name: index 0 is field 3 (state). */
    private static String[] statFields(long pid) {
        String stat = read(Path.of("/proc/" + pid + "/stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    }

    /** A line's value in kB from /proc/<pid>/status (VmRSS, VmHWM), or -1. */
    static long statusKb(long pid, String key) {
        for (String line : read(Path.of("/proc/" + pid + "/status")).split("\n")) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.substring(key.length() + 1).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }

    static boolean alive(long pid) {
        return Files.exists(Path.of("/proc/" + pid + "/stat"));
    }

    static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8).replace('\0', ' ').trim();
        } catch (IOException e) {
            return "";
        }
    }

    static String loadavg() {
        String[] f = read(Path.of("/proc/loadavg")).trim().split("\\s+");
        return f[0] + " " + f[1] + " " + f[2];
    }

    static double load1() {
        return Double.parseDouble(read(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
    }

    /** The aggregate "cpu" line of /proc/stat: {total ticks, idle + iowait ticks}, summed over all CPUs. */
    static long[] machineTicks() {
        String line = read(Path.of("/proc/stat")).lines().filter(l -> l.startsWith("cpu ")).findFirst().orElseThrow();
        String[] f = line.trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < Math.min(f.length, 9); i++) { // user nice system idle iowait irq softirq steal
            total += Long.parseLong(f[i]);
        }
        return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    }

    /** Every process whose command name is {@code comm} (e.g. the PostgreSQL backends, shared by everyone). */
    static List<Long> pidsNamed(String comm) {
        List<Long> pids = new ArrayList<>();
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                String name = dir.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit)) {
                    try {
                        if (comm.equals(Files.readString(dir.resolve("comm")).trim())) {
                            pids.add(Long.parseLong(name));
                        }
                    } catch (IOException ignored) {
                        // the process ended meanwhile
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return pids;
    }

    static long cpuTicks(Collection<Long> pids) {
        return pids.stream().mapToLong(Proc::cpuTicks).sum();
    }

    static String meminfoTotal() {
        return read(Path.of("/proc/meminfo")).lines().filter(l -> l.startsWith("MemTotal:")).findFirst()
                .map(l -> {
                    long kb = Long.parseLong(l.replaceAll("[^0-9]", ""));
                    return String.format("%.1f GiB", kb / 1024.0 / 1024.0);
                }).orElse("?");
    }

    static String cpuModel() {
        return read(Path.of("/proc/cpuinfo")).lines().filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
    }

    static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Runs a short command and answers its standard output (stderr merged), or "" when it fails. */
    static String run(Path dir, String... command) {
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0 ? out.trim() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static long clockTicks() {
        String out = run(Path.of("/"), "getconf", "CLK_TCK");
        try {
            return Long.parseLong(out.trim());
        } catch (NumberFormatException e) {
            return 100;
        }
    }
}
