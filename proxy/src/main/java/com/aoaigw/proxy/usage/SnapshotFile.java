package com.aoaigw.proxy.usage;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The usage history's snapshot on disk (gzip-compressed JSON). A write goes to {@code <file>.tmp}, is forced to the
 * disk, then renamed over the file atomically (and the directory is forced), so a crash at any moment leaves either
 * the previous complete snapshot or the new one. A file that cannot be read whole (torn, corrupt, another format)
 * is logged and ignored: the history starts empty, and the next write replaces it.
 */
public final class SnapshotFile {
    private static final System.Logger LOG = System.getLogger(SnapshotFile.class.getName());

    private final Path file;
    private final Path temp;
    /** Leaves the stream open after the document, so the rest of it (the gzip trailer) can be checked. */
    private final ObjectMapper mapper = new ObjectMapper()
            .disable(com.fasterxml.jackson.core.JsonParser.Feature.AUTO_CLOSE_SOURCE);

    /** @param file the snapshot's path */
    public SnapshotFile(Path file) {
        this.file = file.toAbsolutePath();
        this.temp = this.file.resolveSibling(this.file.getFileName() + ".tmp");
    }

    /** @return the snapshot's path */
    public Path path() {
        return file;
    }

    /**
     * Reads the snapshot.
     *
     * @return the history in it; empty when there is no file or it cannot be read (logged)
     */
    public UsageHistory load() {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 65536)) {
            UsageHistory h = UsageHistory.readFrom(in, mapper);
            // read to the end: only then has the gzip stream checked its CRC and length, so the file is whole
            in.transferTo(OutputStream.nullOutputStream());
            LOG.log(System.Logger.Level.INFO, "usage history loaded from " + file.getFileName() + " ("
                    + h.totalRequests() + " requests)");
            return h;
        } catch (NoSuchFileException e) {
            return new UsageHistory();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "usage history snapshot " + file + " is unreadable ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + "); ignored, starting with an empty "
                    + "history (the next snapshot replaces it)");
            return new UsageHistory();
        }
    }

    /**
     * Writes the history crash-safely: temp file, fsync, atomic rename, fsync of the directory.
     *
     * @param history   the history
     * @param nowMillis the time of the snapshot
     * @throws IOException when it could not be written (the previous snapshot stays)
     */
    public void write(UsageHistory history, long nowMillis) throws IOException {
        Files.createDirectories(file.getParent());
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream raw = Channels.newOutputStream(ch);
            GZIPOutputStream gz = new GZIPOutputStream(new BufferedOutputStream(raw, 65536), 65536);
            history.writeTo(gz, nowMillis);
            gz.finish();
            gz.flush();
            ch.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // some file systems cannot open a directory; the rename is still atomic there
        }
    }
}
