package com.aoaigw.proxy.api;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Tells whether a client connection is still there while nothing is read from or written to it: while the proxy
 * waits for Azure's first byte, Helidon does not read the client socket, so a client that hung up is otherwise only
 * noticed at the first write, minutes later for a reasoning model. A closed client connection shows in the kernel's
 * TCP table ({@code /proc/net/tcp} and {@code tcp6}, Linux): the proxy's end of it leaves {@code ESTABLISHED} (to
 * {@code CLOSE_WAIT} after the client's FIN) or disappears (after a reset). The table is read at most once per
 * {@value #REFRESH_MS} ms whatever the number of waiting requests; it holds every TCP socket of the network namespace,
 * so the cost grows with the connection count, and it is only read while some request has waited longer than the
 * {@link com.aoaigw.proxy.upstream.Watchdog}'s grace period. Where the table does not exist (not Linux), nothing is
 * noticed early.
 *
 * <p>A client that half-closes (sends FIN and keeps reading) looks the same as one that left, and is treated as gone,
 * as nginx does: HTTP/1.1 clients do not half-close while waiting for an answer.
 */
public final class ClientLiveness {
    private static final long REFRESH_MS = 150;
    private static final String ESTABLISHED = "01";

    private final List<Path> tables;
    private final boolean available;
    private final Object lock = new Object();
    private long readAt;
    private Map<String, String> states = Map.of();

    /** Reads the tables of the running kernel. */
    public ClientLiveness() {
        this(List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")));
    }

    ClientLiveness(List<Path> tables) {
        this.tables = tables;
        this.available = tables.stream().anyMatch(Files::isReadable);
    }

    /**
     * @param local  the proxy's end of the client connection
     * @param remote the client's end
     * @return true once the connection is seen closed; null when it cannot be watched (no table, not TCP)
     */
    public BooleanSupplier probe(SocketAddress local, SocketAddress remote) {
        if (!available || !(local instanceof InetSocketAddress l) || !(remote instanceof InetSocketAddress r)
                || l.getAddress() == null || r.getAddress() == null) {
            return null;
        }
        return new Probe(l, r);
    }

    /** One connection's check; asked from the watchdog's thread only. */
    private final class Probe implements BooleanSupplier {
        private final InetSocketAddress local;
        private final InetSocketAddress remote;
        private List<String> keys;
        private int misses;

        Probe(InetSocketAddress local, InetSocketAddress remote) {
            this.local = local;
            this.remote = remote;
        }

        @Override
        public boolean getAsBoolean() {
            if (keys == null) {
                keys = keys(local, remote); // built on the first check: most requests end before one
            }
            String state = null;
            Map<String, String> now = table();
            for (String k : keys) {
                state = now.get(k);
                if (state != null) {
                    break;
                }
            }
            if (state == null) {
                // a reset connection leaves the table; two reads in a row make sure it was not just missed while the
                // kernel's table changed under the reader
                return ++misses >= 2;
            }
            misses = 0;
            return !state.equals(ESTABLISHED);
        }
    }

    private Map<String, String> table() {
        synchronized (lock) {
            long now = System.nanoTime();
            if (readAt != 0 && now - readAt < TimeUnit.MILLISECONDS.toNanos(REFRESH_MS)) {
                return states;
            }
            Map<String, String> read = new HashMap<>();
            for (Path p : tables) {
                readTable(p, read);
            }
            states = read;
            readAt = System.nanoTime();
            return read;
        }
    }

    private static void readTable(Path p, Map<String, String> into) {
        try (BufferedReader in = Files.newBufferedReader(p, StandardCharsets.US_ASCII)) {
            in.readLine(); // header
            String line;
            while ((line = in.readLine()) != null) {
                // "  12: 0100007F:1F90 0100007F:D2A4 01 ..." : slot, local, remote, state
                int i = line.indexOf(':');
                int localStart = skipSpaces(line, i + 1);
                int localEnd = line.indexOf(' ', localStart);
                int remoteStart = skipSpaces(line, localEnd);
                int remoteEnd = line.indexOf(' ', remoteStart);
                int stateStart = skipSpaces(line, remoteEnd);
                if (i < 0 || localEnd < 0 || remoteEnd < 0 || stateStart + 2 > line.length()) {
                    continue;
                }
                into.put(line.substring(localStart, localEnd) + ' ' + line.substring(remoteStart, remoteEnd),
                        line.substring(stateStart, stateStart + 2));
            }
        } catch (IOException | RuntimeException e) {
            // no such table (no IPv6), or unreadable: its connections count as not found
        }
    }

    private static int skipSpaces(String s, int from) {
        if (from < 0) {
            return s.length();
        }
        int i = from;
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    /** The table keys a connection can have: an IPv4 one may also sit in tcp6 as an IPv4-mapped address. */
    static List<String> keys(InetSocketAddress local, InetSocketAddress remote) {
        InetAddress la = local.getAddress();
        InetAddress ra = remote.getAddress();
        String ports4 = null;
        if (la instanceof Inet4Address && ra instanceof Inet4Address) {
            ports4 = hex(la.getAddress()) + ':' + port(local) + ' ' + hex(ra.getAddress()) + ':' + port(remote);
        }
        String six = hex(v6(la.getAddress())) + ':' + port(local) + ' ' + hex(v6(ra.getAddress())) + ':' + port(remote);
        return ports4 == null ? List.of(six) : List.of(ports4, six);
    }

    private static byte[] v6(byte[] a) {
        if (a.length == 16) {
            return a;
        }
        byte[] m = new byte[16];
        m[10] = (byte) 0xff;
        m[11] = (byte) 0xff;
        System.arraycopy(a, 0, m, 12, 4);
        return m;
    }

    /** The kernel prints each 32-bit word of an address as it sits in memory, so in the machine's byte order. */
    private static String hex(byte[] a) {
        ByteBuffer b = ByteBuffer.wrap(a).order(ByteOrder.nativeOrder());
        StringBuilder s = new StringBuilder(32);
        while (b.hasRemaining()) {
            s.append(String.format("%08X", b.getInt()));
        }
        return s.toString();
    }

    private static String port(InetSocketAddress a) {
        return String.format("%04X", a.getPort());
    }
}
