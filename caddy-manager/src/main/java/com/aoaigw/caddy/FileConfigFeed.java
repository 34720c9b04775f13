package com.aoaigw.caddy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.Consumer;

import com.aoaigw.config.ConfigStore;

/**
 * A {@link ConfigFeed} that polls one file ({@code CONFIG_PATH}); the etag is a hash of the content, so a rewrite
 * with the same text is not a new version.
 */
public final class FileConfigFeed implements ConfigFeed {
    private static final System.Logger LOG = System.getLogger(FileConfigFeed.class.getName());

    private final Path file;
    private final Duration interval;
    private volatile boolean closed;
    private Thread poller;

    /**
     * @param file     the config document
     * @param interval how often to look at it
     */
    public FileConfigFeed(Path file, Duration interval) {
        this.file = file;
        this.interval = interval;
    }

    @Override
    public synchronized void subscribe(Consumer<ConfigStore.Versioned> listener) {
        if (poller != null) {
            throw new IllegalStateException("already subscribed");
        }
        poller = Thread.ofVirtual().name("config-file-feed").start(() -> poll(listener));
    }

    private void poll(Consumer<ConfigStore.Versioned> listener) {
        String lastEtag = null;
        boolean missingLogged = false;
        while (!closed) {
            try {
                String json = Files.readString(file);
                String etag = etag(json);
                missingLogged = false;
                if (!etag.equals(lastEtag)) {
                    lastEtag = etag;
                    listener.accept(new ConfigStore.Versioned(json, etag));
                }
            } catch (NoSuchFileException e) {
                if (!missingLogged) {
                    LOG.log(System.Logger.Level.WARNING, "config file " + file + " does not exist (yet); waiting");
                    missingLogged = true;
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot read config file " + file + ": " + e);
            }
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static String etag(String json) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "\"" + HexFormat.of().formatHex(d, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (poller != null) {
            poller.interrupt();
        }
    }
}
