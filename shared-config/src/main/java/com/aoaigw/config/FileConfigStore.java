package com.aoaigw.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The config document as a local file (or a file on a mounted share: the original's "azureFile" mode).
 *
 * <p>Etags are the lowercase hex SHA-256 of the file's bytes, unquoted; two identical documents have the same etag.
 * Writes are compare-and-swap under two locks, a lock of this instance and an OS lock ({@link FileChannel#lock}) on
 * the sibling file {@code <name>.lock}, so writers in one process and in several processes serialise: the current
 * etag is re-read under the lock and compared with {@code ifMatch}; then a temporary file in the same directory is
 * written and forced to disk, atomically renamed over the document, and the directory is forced. Readers therefore
 * see the old or the new document, never a torn one.
 *
 * <p>{@code ifMatch} semantics: {@code null} creates the document only when it does not exist yet; {@code "*"}
 * writes unconditionally (internal use: the blob store's cache); any other value must equal the current etag.
 *
 * <p>{@link #watch(Consumer)} uses a {@link WatchService} on the directory for prompt delivery and polls the etag at
 * the poll interval as a fallback (network shares do not always deliver file events). Each new version is delivered
 * once per listener, from one background thread.
 */
public final class FileConfigStore implements ConfigStore {
    /** Polling interval used in production. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);
    private static final System.Logger LOG = System.getLogger(FileConfigStore.class.getName());
    private static final Duration LOCK_TIMEOUT = Duration.ofSeconds(30);

    private final Path path;
    private final Path lockPath;
    private final Duration pollInterval;
    private final ReentrantLock localLock = new ReentrantLock(true);
    private final ConfigListeners listeners = new ConfigListeners();
    private final Object watchGuard = new Object();
    private volatile Thread watcher;
    private volatile WatchService watchService;
    private volatile boolean closed;
    private volatile String lastError;
    private volatile Instant lastSync;

    /**
     * @param path the document
     */
    public FileConfigStore(Path path) {
        this(path, DEFAULT_POLL_INTERVAL);
    }

    /**
     * @param path         the document
     * @param pollInterval how often the watcher compares etags when no file event arrives
     */
    public FileConfigStore(Path path, Duration pollInterval) {
        this.path = path.toAbsolutePath().normalize();
        this.lockPath = this.path.resolveSibling(this.path.getFileName() + ".lock");
        this.pollInterval = pollInterval;
    }

    /** @return the document's path */
    public Path path() {
        return path;
    }

    @Override
    public Versioned read() {
        try {
            Versioned v = readOrNull();
            if (v == null) {
                throw new ConfigStoreException("no config document at " + path);
            }
            return v;
        } catch (IOException e) {
            lastError = "cannot read " + path + ": " + e.getMessage();
            throw new ConfigStoreException(lastError, e);
        }
    }

    /**
     * @return the current version, or null when the document does not exist
     * @throws IOException when it exists but cannot be read
     */
    Versioned readOrNull() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return null;
        }
        lastSync = Instant.now();
        lastError = null;
        return new Versioned(new String(bytes, StandardCharsets.UTF_8), etag(bytes));
    }

    /** @return true when the document exists */
    boolean exists() {
        return Files.exists(path);
    }

    @Override
    public String write(String json, String ifMatch) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        try {
            Files.createDirectories(path.getParent());
        } catch (IOException e) {
            throw new ConfigStoreException("cannot create the directory of " + path + ": " + e.getMessage(), e);
        }
        localLock.lock();
        try (FileChannel lockChannel = FileChannel.open(lockPath,
                java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), FileModes.ownerOnly(lockPath));
             FileLock ignored = lockAcross(lockChannel)) {
            Versioned current = readOrNull();
            if (!"*".equals(ifMatch)) {
                if (ifMatch == null ? current != null : current == null || !ifMatch.equals(current.etag())) {
                    throw new ConfigConflictException(current);
                }
            }
            replace(bytes);
            lastSync = Instant.now();
            lastError = null;
            return etag(bytes);
        } catch (IOException e) {
            lastError = "cannot write " + path + ": " + e.getMessage();
            throw new ConfigStoreException(lastError, e);
        } finally {
            localLock.unlock();
        }
    }

    /** Another process may hold the OS lock (tryLock returns null), or another store in this JVM (overlap). */
    private FileLock lockAcross(FileChannel channel) throws IOException {
        long deadline = System.nanoTime() + LOCK_TIMEOUT.toNanos();
        while (true) {
            try {
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    return lock;
                }
            } catch (OverlappingFileLockException e) {
                // held by another FileConfigStore on the same file in this JVM; wait like for another process
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("timed out waiting for the lock " + lockPath);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the lock " + lockPath, e);
            }
        }
    }

    private void replace(byte[] bytes) throws IOException {
        Path dir = path.getParent();
        Path tmp = dir.resolve("." + path.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), FileModes.ownerOnly(tmp))) {
                // the replacement gets the original's mode and owner (600 for a new file) before it holds anything
                FileModes.inherit(path, tmp);
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + dir + " cannot rename atomically", e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // some platforms cannot open or force a directory; the rename itself is still atomic
            LOG.log(System.Logger.Level.DEBUG, "cannot fsync directory {0}: {1}", dir, e.getMessage());
        }
    }

    @Override
    public void watch(Consumer<Versioned> listener) {
        listeners.add(listener);
        synchronized (watchGuard) {
            if (watcher != null || closed) {
                return;
            }
            String baseline;
            try {
                Versioned v = readOrNull();
                baseline = v == null ? null : v.etag();
            } catch (IOException e) {
                baseline = null;
            }
            try {
                Files.createDirectories(path.getParent());
                WatchService ws = FileSystems.getDefault().newWatchService();
                path.getParent().register(ws, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_MODIFY);
                watchService = ws;
            } catch (IOException | UnsupportedOperationException e) {
                LOG.log(System.Logger.Level.INFO, "no file events for {0} ({1}); polling every {2} ms", path,
                        e.getMessage(), pollInterval.toMillis());
            }
            listeners.baseline(baseline);
            watcher = Thread.ofPlatform().daemon().name("config-file-watch").start(this::watchLoop);
        }
    }

    private void watchLoop() {
        long lastRead = System.nanoTime();
        while (!closed) {
            try {
                WatchService ws = watchService;
                if (ws != null) {
                    var key = ws.poll(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
                    if (key != null) {
                        boolean ours = false;
                        for (var event : key.pollEvents()) {
                            ours |= event.kind() == java.nio.file.StandardWatchEventKinds.OVERFLOW
                                    || path.getFileName().equals(event.context());
                        }
                        key.reset();
                        // other files in the directory (logs, temp files) must not cost a read each, but the
                        // polling fallback still reads once per interval
                        if (!ours && System.nanoTime() - lastRead < pollInterval.toNanos()) {
                            continue;
                        }
                    }
                } else {
                    Thread.sleep(pollInterval.toMillis());
                }
                if (closed) {
                    return;
                }
                lastRead = System.nanoTime();
                Versioned v = readOrNull();
                if (v != null) {
                    listeners.deliver(v);
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (IOException e) {
                lastError = "cannot read " + path + ": " + e.getMessage();
                LOG.log(System.Logger.Level.WARNING, lastError);
            }
        }
    }

    @Override
    public StoreStatus status() {
        String err = lastError;
        return new StoreStatus("azureFile", err == null ? "ready" : "degraded", err, false, lastSync, path.toString());
    }

    @Override
    public void close() {
        closed = true;
        WatchService ws = watchService;
        if (ws != null) {
            try {
                ws.close();
            } catch (IOException ignored) {
                // closing; nothing to do
            }
        }
        Thread t = watcher;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * @param bytes document bytes
     * @return the etag of those bytes: lowercase hex SHA-256
     */
    public static String etag(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
