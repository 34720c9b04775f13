package com.aoaigw.config;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A second process for the store tests: watches a store and prints {@code applied <etag>} and
 * {@code rejected <etag>} lines; exits when its standard input closes.
 *
 * <p>Arguments: {@code file <path> <pollMs>} or {@code blob <connectionString> <container> <blob> <cachePath> <pollMs>}.
 * With {@code increment <path> <times>} it instead increments the counter document {@link #increment} times and
 * prints {@code start}, then {@code incremented <times> conflicts <n>}.
 */
public final class WatchMain {
    private WatchMain() {
    }

    /**
     * @param args see the class comment
     */
    public static void main(String[] args) throws Exception {
        if (args[0].equals("increment")) {
            try (FileConfigStore store = new FileConfigStore(Path.of(args[1]))) {
                int times = Integer.parseInt(args[2]);
                say("start");
                int conflicts = 0;
                for (int i = 0; i < times; i++) {
                    conflicts += increment(store);
                }
                say("incremented " + times + " conflicts " + conflicts);
            }
            return;
        }
        ConfigStore store = switch (args[0]) {
            case "file" -> new FileConfigStore(Path.of(args[1]), Duration.ofMillis(Long.parseLong(args[2])));
            case "blob" -> new BlobConfigStore(new StoreSettings(StoreMode.BLOB, args[4], null, args[1], args[2], args[3], 30000),
                    Duration.ofMillis(Long.parseLong(args[5])));
            default -> throw new IllegalArgumentException(args[0]);
        };
        ConfigWatcher watcher = new ConfigWatcher(store, new ConfigLoader(n -> null));
        watcher.onApplied(s -> say("applied " + s.etag()));
        watcher.onRejected(r -> say("rejected " + r.etag()));
        say("applied " + watcher.start().etag());
        say("ready");
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                // wait for the parent to close our input
            }
        }
        store.close();
    }

    /**
     * Read, add one, compare-and-swap; again on conflict (bounded). A lost update would show as a final count below
     * the number of increments.
     *
     * @param store the store holding a {@link TestDocs#counter(int)} document
     * @return how many conflicts it took
     */
    static int increment(ConfigStore store) {
        for (int attempt = 0; attempt < 10_000; attempt++) {
            ConfigStore.Versioned v = store.read();
            try {
                store.write(TestDocs.counter(TestDocs.counterOf(v.json()) + 1), v.etag());
                return attempt;
            } catch (ConfigConflictException e) {
                Thread.onSpinWait();
            }
        }
        throw new IllegalStateException("no increment after 10000 attempts");
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
