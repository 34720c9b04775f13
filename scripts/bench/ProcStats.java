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
    record Sample(double cpuSeconds, double rssMb, double hwmMb) {
    }

    Sample sample(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            double rss = Double.NaN;
            double hwm = Double.NaN;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kb(line) / 1024.0;
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kb(line) / 1024.0;
                }
            }
            return new Sample(ticks / (double) clockTicksPerSecond, rss, hwm);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + " (is the process still running?): " + e, e);
        }
    }

    private static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
}
