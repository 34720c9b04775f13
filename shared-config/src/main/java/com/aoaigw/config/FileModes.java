package com.aoaigw.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import java.util.UUID;

/**
 * File modes of the config document and its companions ({@code .lock}, {@code .sync.json}, {@code .conflict-*}):
 * the document holds upstream keys, so a new file is readable by its owner only ({@code 600}) and a rewrite keeps
 * the mode and owner the operator gave the file, whatever the process's umask. On file systems without POSIX
 * attributes nothing is changed.
 */
final class FileModes {
    private static final System.Logger LOG = System.getLogger(FileModes.class.getName());
    /** {@code rw-------}. */
    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private FileModes() {
    }

    static boolean posix(FileSystem fs) {
        return fs.supportedFileAttributeViews().contains("posix");
    }

    /** @return the attribute that creates a file as {@code 600} (none without POSIX) */
    static FileAttribute<?>[] ownerOnly(Path file) {
        return posix(file.getFileSystem())
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
    }

    /**
     * Gives {@code target} (a new temporary file that is about to replace {@code original}) the original's mode and
     * owner, or {@code 600} when there is no original. Set explicitly, so the umask does not apply.
     *
     * @param original the file being replaced (may not exist)
     * @param target   the replacement
     * @throws IOException when the mode cannot be set
     */
    static void inherit(Path original, Path target) throws IOException {
        if (!posix(target.getFileSystem())) {
            return;
        }
        if (!Files.exists(original, LinkOption.NOFOLLOW_LINKS)) {
            Files.setPosixFilePermissions(target, OWNER_ONLY);
            return;
        }
        Files.setPosixFilePermissions(target, Files.getPosixFilePermissions(original));
        UserPrincipal owner = Files.getOwner(original);
        if (!owner.equals(Files.getOwner(target))) {
            try {
                Files.setOwner(target, owner);
            } catch (IOException | UnsupportedOperationException e) {
                // only a privileged process may give a file away; the mode above is what protects the content
                LOG.log(System.Logger.Level.DEBUG, "cannot keep the owner of {0}: {1}", original, e.getMessage());
            }
        }
    }

    /**
     * Writes a small companion file atomically (temporary file, rename), readable by its owner only.
     *
     * @param file    the file
     * @param content its text
     * @throws IOException when it cannot be written
     */
    static void writePrivate(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.write(Files.createFile(tmp, ownerOnly(tmp)), content.getBytes(StandardCharsets.UTF_8));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            if (posix(file.getFileSystem())) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
