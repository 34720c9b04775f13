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
 */
public final class WatchMain {
    private WatchMain() {
    }

    /**
     * @param args see the class comment
     */
    public static void main(String[] args) throws Exception {
        ConfigStore store = switch (args[0]) {
            case "file" -> new FileConfigStore(Path.of(args[1]), Duration.ofMillis(Long.parseLong(args[2])));
            case "blob" -> new BlobConfigStore(new StoreSettings("blob", args[4], null, args[1], args[2], args[3], 30000),
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

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
