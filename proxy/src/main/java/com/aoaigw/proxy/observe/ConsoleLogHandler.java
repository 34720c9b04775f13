package com.aoaigw.proxy.observe;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.ErrorManager;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

/**
 * The proxy's console handler (named in {@code logging.properties}): every record becomes one line on standard output,
 * {@code yyyy-MM-ddTHH:mm:ss.SSS LEVEL logger message} in local time, followed by the stack trace of a thrown
 * exception.
 *
 * <p>Lines are written by one background thread, in the order they were published, so a request thread never waits
 * for a terminal or a pipe: publishing queues the record, and the writer wakes, lets a few milliseconds of lines
 * gather ({@value #LINGER_MS} ms), and writes them with one flush. Nothing is dropped: when the queue is full the
 * publisher waits for room (the backpressure a synchronous handler would give), and {@link #close()} (which the JDK's
 * log manager calls at shutdown) writes what is still queued; records published after that are written at once.
 *
 * <p>Settings ({@code logging.properties}): {@code com.aoaigw.proxy.observe.ConsoleLogHandler.level} (default ALL)
 * and {@code .capacity} (queued records, default {@value #DEFAULT_CAPACITY}).
 */
public final class ConsoleLogHandler extends Handler {
    static final int DEFAULT_CAPACITY = 16_384;
    static final long LINGER_MS = 5;
    private static final int BATCH = 1024;

    private final BlockingQueue<LogRecord> queue;
    private final Thread writer;
    private final PrintStream out;
    private final SimpleFormatter messages = new SimpleFormatter();
    private final Object formatLock = new Object();
    private final StringBuilder line = new StringBuilder(512);
    private final ZoneId zone = ZoneId.systemDefault();
    private long second = Long.MIN_VALUE;
    private String secondPrefix = "";
    private volatile boolean closed;
    private final boolean json;

    /** A handler configured from the log manager's properties, writing to {@link System#out}. */
    public ConsoleLogHandler() {
        this(System.out, capacityFrom(LogManager.getLogManager().getProperty(ConsoleLogHandler.class.getName()
                + ".capacity")), json(System.getProperty("LOG_FORMAT", System.getenv("LOG_FORMAT"))));
        String level = LogManager.getLogManager().getProperty(ConsoleLogHandler.class.getName() + ".level");
        if (level != null) {
            try {
                setLevel(Level.parse(level.trim()));
            } catch (IllegalArgumentException e) {
                reportError("bad level " + level, e, ErrorManager.GENERIC_FAILURE);
            }
        }
    }

    /**
     * @param out      where lines go
     * @param capacity how many records may wait for the writer
     */
    ConsoleLogHandler(PrintStream out, int capacity) {
        this(out, capacity, false);
    }

    /**
     * @param out      where lines go
     * @param capacity how many records may wait for the writer
     * @param json     one JSON object per line instead of text
     */
    ConsoleLogHandler(PrintStream out, int capacity, boolean json) {
        this.json = json;
        this.out = out;
        this.queue = new ArrayBlockingQueue<>(Math.max(16, capacity));
        setLevel(Level.ALL);
        this.writer = Thread.ofPlatform().daemon().name("aoaigw-log-writer").start(this::drain);
    }

    /**
     * @param logFormat the {@code LOG_FORMAT} value
     * @return true for {@code json} (any case); {@code text}, unset or anything else means text
     */
    static boolean json(String logFormat) {
        return logFormat != null && logFormat.trim().equalsIgnoreCase("json");
    }

    static int capacityFrom(String raw) {
        if (raw == null || raw.isBlank()) {
            return DEFAULT_CAPACITY;
        }
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            return DEFAULT_CAPACITY;
        }
    }

    @Override
    public void publish(LogRecord record) {
        if (record == null || !isLoggable(record)) {
            return;
        }
        if (!closed) {
            try {
                queue.put(record);
                if (closed) {
                    // close() may have drained the queue before this record went in
                    writeQueued();
                }
                return;
            } catch (InterruptedException e) {
                // a request thread being cancelled: write this line itself rather than lose it
                Thread.currentThread().interrupt();
            }
        }
        write(List.of(record));
    }

    private void drain() {
        List<LogRecord> batch = new ArrayList<>(BATCH);
        while (!closed || !queue.isEmpty()) {
            try {
                LogRecord first = queue.poll(1, TimeUnit.DAYS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                if (!closed) {
                    // let the lines of the next few milliseconds join this write
                    Thread.sleep(LINGER_MS);
                }
            } catch (InterruptedException e) {
                // close() wakes the writer: write what is queued, then stop
            }
            queue.drainTo(batch, BATCH - batch.size());
            if (!batch.isEmpty()) {
                write(batch);
                batch.clear();
            }
        }
    }

    private void write(List<LogRecord> records) {
        synchronized (formatLock) {
            try {
                line.setLength(0);
                for (LogRecord r : records) {
                    format(r, line);
                }
                byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
                out.flush();
            } catch (RuntimeException e) {
                reportError("cannot write log lines", e, ErrorManager.WRITE_FAILURE);
            }
            if (line.capacity() > 65_536) {
                line.setLength(0);
                line.trimToSize();
            }
        }
    }

    /**
     * Appends one JSON object and a newline ({@code LOG_FORMAT=json}): ts (UTC), level, logger, message and, when
     * there is one, the stack trace as {@code thrown}; an access line is its own JSON fields after level and logger.
     */
    void formatJson(LogRecord r, StringBuilder b) {
        if (r instanceof AccessRecord) {
            String access = r.getMessage();
            b.append("{\"level\":\"").append(r.getLevel().getName()).append("\",\"logger\":\"")
                    .append(AccessLog.LOGGER).append("\",").append(access, 1, access.length()).append('\n');
            return;
        }
        b.append("{\"ts\":\"").append(r.getInstant()).append('"');
        AccessLog.text(b, "level", r.getLevel().getName());
        AccessLog.text(b, "logger", r.getLoggerName() == null ? "" : r.getLoggerName());
        AccessLog.text(b, "message", messages.formatMessage(r));
        Throwable t = r.getThrown();
        if (t != null) {
            StringWriter sw = new StringWriter();
            try (PrintWriter pw = new PrintWriter(sw)) {
                t.printStackTrace(pw);
            }
            AccessLog.text(b, "thrown", sw.toString());
        }
        b.append("}\n");
    }

    /** Appends one line; the caller holds the format lock. */
    void format(LogRecord r, StringBuilder b) {
        if (json) {
            formatJson(r, b);
            return;
        }
        Instant ts = r.getInstant();
        long s = ts.getEpochSecond();
        if (s != second) {
            LocalDateTime t = LocalDateTime.ofInstant(Instant.ofEpochSecond(s), zone);
            StringBuilder p = new StringBuilder(20);
            pad(p, t.getYear(), 4).append('-');
            pad(p, t.getMonthValue(), 2).append('-');
            pad(p, t.getDayOfMonth(), 2).append('T');
            pad(p, t.getHour(), 2).append(':');
            pad(p, t.getMinute(), 2).append(':');
            pad(p, t.getSecond(), 2).append('.');
            secondPrefix = p.toString();
            second = s;
        }
        b.append(secondPrefix);
        pad(b, ts.getNano() / 1_000_000, 3).append(' ');
        b.append(r.getLevel().getLocalizedName()).append(' ');
        b.append(r.getLoggerName() == null ? "" : r.getLoggerName()).append(' ');
        b.append(r instanceof AccessRecord ? r.getMessage() : messages.formatMessage(r));
        Throwable t = r.getThrown();
        if (t != null) {
            StringWriter sw = new StringWriter();
            try (PrintWriter pw = new PrintWriter(sw)) {
                pw.println();
                t.printStackTrace(pw);
            }
            b.append(sw);
        }
        b.append('\n');
    }

    private static StringBuilder pad(StringBuilder b, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(s);
    }

    @Override
    public void flush() {
        // the writer flushes after every batch
    }

    /** Writes what is queued (waiting up to 5 s for the writer), then writes later records at once. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        writer.interrupt();
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writeQueued();
    }

    private void writeQueued() {
        synchronized (formatLock) {
            List<LogRecord> rest = new ArrayList<>();
            queue.drainTo(rest);
            if (!rest.isEmpty()) {
                write(rest);
            }
        }
    }
}
