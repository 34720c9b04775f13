import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a process's CPU time and memory from Linux {@code /proc}: {@code /proc/<pid>/stat} fields 14 and 15
 * (utime, stime, in clock ticks) and {@code /proc/<pid>/status} {@code VmRSS} / {@code VmHWM} (kB).
 *
 * @param clockTicksPerSecond {@code getconf CLK_TCK} (100 on Linux unless the kernel says otherwise)
 */
record ProcStats(long clockTicksPerSecond) {
    /** One reading. CPU in seconds, memory in MiB. */
    record Sample(double cpuSeconds, double userSeconds, double rssMb, double hwmMb) {
    }

    Sample sample(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            long user = Long.parseLong(f[11]);
            long ticks = user + Long.parseLong(f[12]);
            double rss = Double.NaN;
            double hwm = Double.NaN;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kb(line) / 1024.0;
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kb(line) / 1024.0;
                }
            }
            return new Sample(ticks / (double) clockTicksPerSecond, user / (double) clockTicksPerSecond, rss, hwm);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + " (is the process still running?): " + e, e);
        }
    }

    /**
     * CPU seconds per thread group of a process ({@code /proc/<pid>/task/<tid>/stat}); thread names have their digits
     * removed so that e.g. all GC or JIT compiler threads add up in one group. A diagnostic for the report: which part
     * of the JVM (request threads, GC, JIT, pollers) spent the process's CPU.
     */
    java.util.Map<String, Double> threadGroups(long pid) {
        java.util.Map<String, Double> groups = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
                    double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) clockTicksPerSecond;
                    groups.merge(name, cpu, Double::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended between listing and reading; its time is lost to this diagnostic only
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/" + pid + "/task: " + e, e);
        }
        return groups;
    }

    /** @return b - a per group (threads that ended are missing from b and count as 0) */
    static java.util.Map<String, Double> delta(java.util.Map<String, Double> a, java.util.Map<String, Double> b) {
        java.util.Map<String, Double> d = new java.util.TreeMap<>();
        b.forEach((k, v) -> {
            double x = v - a.getOrDefault(k, 0.0);
            if (x > 0.005) {
                d.put(k, Math.round(x * 100) / 100.0);
            }
        });
        return d;
    }

    private static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
}
