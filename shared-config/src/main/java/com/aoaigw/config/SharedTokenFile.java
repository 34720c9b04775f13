package com.aoaigw.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The shared secret of caddy-manager's reports to the proxy ({@code CADDY_MANAGER_TOKEN}) when nobody set one: both
 * processes name the same file on their shared data volume ({@code CADDY_MANAGER_TOKEN_FILE}); the first one to start
 * creates it (mode 600, 64 hex digits), the other reads it. A token given in {@code CADDY_MANAGER_TOKEN} always wins
 * and the file is then neither read nor written.
 *
 * <p>Both processes may start at the same moment, so the file is created with {@code O_EXCL} ({@code CREATE_NEW}):
 * exactly one creator wins, and a reader that finds the file still empty waits a little for its one write.
 */
public final class SharedTokenFile {
    /** The variable naming the file. */
    public static final String FILE_ENV = "CADDY_MANAGER_TOKEN_FILE";
    /** The variable holding a token given by the operator. */
    public static final String TOKEN_ENV = "CADDY_MANAGER_TOKEN";

    private static final int TOKEN_BYTES = 32;
    private static final int MIN_LENGTH = 32;
    private static final long WAIT_MS = 5000;

    private SharedTokenFile() {
    }

    /**
     * @param env variable lookup
     * @return {@code CADDY_MANAGER_TOKEN} when set; else the token in {@code CADDY_MANAGER_TOKEN_FILE} (created when
     *         missing); else an empty secret (the internal report endpoint stays disabled)
     * @throws IllegalStateException when the file is named but can be neither read nor created
     */
    public static Secret resolve(java.util.function.Function<String, String> env) {
        String token = env.apply(TOKEN_ENV);
        if (token != null && !token.isBlank()) {
            return Secret.of(token.trim(), k -> null);
        }
        String file = env.apply(FILE_ENV);
        if (file == null || file.isBlank()) {
            return Secret.empty();
        }
        return Secret.of(readOrCreate(Path.of(file.trim())), k -> null);
    }

    /**
     * @param file the token file
     * @return its token, after creating the file with a new random token when it did not exist
     */
    static String readOrCreate(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            if (!Files.exists(file)) {
                String fresh = HexFormat.of().formatHex(randomBytes());
                if (create(file, fresh)) {
                    return fresh;
                }
            }
            return awaitContent(file);
        } catch (IOException e) {
            throw new IllegalStateException(FILE_ENV + "=" + file + " can be neither read nor created (" + e
                    + "); make its directory writable for this user, or set " + TOKEN_ENV, e);
        }
    }

    private static boolean create(Path file, String token) throws IOException {
        Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
        FileAttribute<?>[] attrs = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        try (FileChannel ch = FileChannel.open(file, options, attrs)) {
            ByteBuffer bytes = ByteBuffer.wrap((token + "\n").getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
            return true;
        } catch (FileAlreadyExistsException lostTheRace) {
            return false;
        }
    }

    /** The other process created the file: its single write may not have landed yet. */
    private static String awaitContent(Path file) throws IOException {
        long deadline = System.nanoTime() + WAIT_MS * 1_000_000L;
        while (true) {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            if (text.length() >= MIN_LENGTH) {
                return text;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("it holds no token (" + text.length() + " characters, at least " + MIN_LENGTH
                        + " expected); delete it to have a new one generated");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the token", e);
            }
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[TOKEN_BYTES];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
