package com.aoaigw.sim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client over a plain socket that shows what higher-level clients hide: the chunks of a chunked
 * body as they were framed on the wire, when the headers arrived, and whether the connection ended without the
 * terminating chunk.
 */
final class RawHttp {
    private RawHttp() {
    }

    /**
     * The exchange as seen on the wire.
     *
     * @param status         the status code, or -1 when the connection closed before a status line
     * @param headers        lower-case header names to values
     * @param chunks         the chunk payloads in wire order (one entry for a Content-Length body)
     * @param complete       true when the body ended properly (terminating chunk or full Content-Length)
     * @param headersAtNanos when the header block was complete, relative to the request being sent
     * @param firstChunkAtNanos when the first body chunk was read, relative to the request (-1 if none)
     * @param chunkAtNanos   when each chunk was read, relative to the request
     */
    record Exchange(int status, Map<String, String> headers, List<byte[]> chunks, boolean complete,
                    long headersAtNanos, long firstChunkAtNanos, List<Long> chunkAtNanos) {
        byte[] body() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            chunks.forEach(out::writeBytes);
            return out.toByteArray();
        }

        String text() {
            return new String(body(), StandardCharsets.UTF_8);
        }
    }

    static Exchange post(int port, String path, Map<String, String> headers, String body) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            return exchange(s, port, path, headers, body, false);
        }
    }

    /**
     * Sends one POST on an open socket and reads its response.
     *
     * @param keepAlive false to send {@code Connection: close}
     */
    static Exchange exchange(Socket s, int port, String path, Map<String, String> headers, String body,
                             boolean keepAlive) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder req = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + b.length + "\r\n"
                + (keepAlive ? "" : "Connection: close\r\n"));
        headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        req.append("\r\n");
        OutputStream os = s.getOutputStream();
        long start = System.nanoTime();
        os.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
        os.write(b);
        os.flush();
        InputStream in = s.getInputStream();
        String statusLine = line(in);
        if (statusLine == null) {
            return new Exchange(-1, Map.of(), List.of(), false, -1, -1, List.of());
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> h = new LinkedHashMap<>();
        for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
            int c = l.indexOf(':');
            h.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
        }
        long headersAt = System.nanoTime() - start;
        List<byte[]> chunks = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        long firstChunkAt = -1;
        boolean complete = false;
        if ("chunked".equalsIgnoreCase(h.get("transfer-encoding"))) {
            for (int i = 0; i < 100_000; i++) {
                String size = line(in);
                if (size == null) {
                    break;
                }
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    complete = line(in) != null;
                    break;
                }
                byte[] data = in.readNBytes(n);
                if (firstChunkAt < 0) {
                    firstChunkAt = System.nanoTime() - start;
                }
                times.add(System.nanoTime() - start);
                chunks.add(data);
                if (data.length < n) {
                    break;
                }
                if (line(in) == null) {
                    break;
                }
            }
        } else if (h.containsKey("content-length")) {
            int n = Integer.parseInt(h.get("content-length"));
            byte[] data = in.readNBytes(n);
            firstChunkAt = System.nanoTime() - start;
            times.add(firstChunkAt);
            chunks.add(data);
            complete = data.length == n;
        }
        return new Exchange(status, h, chunks, complete, headersAt, firstChunkAt, times);
    }

    /** Reads a CRLF-terminated line; null at end of stream (or a connection reset). */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (int i = 0; i < 65_536; i++) {
                int c = in.read();
                if (c < 0) {
                    return null;
                }
                if (c == '\n') {
                    byte[] bytes = out.toByteArray();
                    int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
                }
                out.write(c);
            }
        } catch (java.net.SocketException e) {
            return null;
        }
        throw new IOException("line too long");
    }
}
