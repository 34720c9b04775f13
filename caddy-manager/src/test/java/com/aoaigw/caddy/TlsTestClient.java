package com.aoaigw.caddy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Consumer;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A minimal HTTPS/1.1 client for the tests: trusts only Caddy's local root (read from Caddy's storage), sends SNI
 * for the domain explicitly (the JDK sends none for a dotless name such as {@code localhost}), verifies the host
 * name, and hands SSE lines over as they arrive.
 */
final class TlsTestClient {
    private final SSLContext context;
    private final String host;
    private final int port;

    TlsTestClient(Path rootCrt, String host, int port) throws IOException, GeneralSecurityException {
        X509Certificate root;
        try (InputStream in = Files.newInputStream(rootCrt)) {
            root = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setCertificateEntry("caddy-local-root", root);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        this.host = host;
        this.port = port;
    }

    /** Status line and body of a GET (Connection: close). */
    record Response(int status, String body, X509Certificate leaf) {
    }

    Response get(String path) throws IOException {
        try (SSLSocket s = open()) {
            send(s, path);
            BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            int status = status(r.readLine());
            StringBuilder all = new StringBuilder();
            String line;
            while ((line = r.readLine()) != null) {
                all.append(line).append('\n');
            }
            return new Response(status, all.toString(), (X509Certificate) s.getSession().getPeerCertificates()[0]);
        }
    }

    /** Streams a GET; each {@code data:} line goes to {@code events} as it arrives. Returns the status. */
    int stream(String path, Consumer<String> events) throws IOException {
        try (SSLSocket s = open()) {
            s.setSoTimeout(20_000);
            send(s, path);
            BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            int status = status(r.readLine());
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    String data = line.substring(6);
                    events.accept(data);
                    if (data.equals("[DONE]")) {
                        break;
                    }
                }
            }
            return status;
        }
    }

    private SSLSocket open() throws IOException {
        // connect to loopback, but let TLS see the domain (SNI and host name check) as a browser would
        java.net.Socket plain = new java.net.Socket("127.0.0.1", port);
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
        s.setSoTimeout(10_000);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(host)));
        p.setEndpointIdentificationAlgorithm("HTTPS");
        p.setApplicationProtocols(new String[] {"http/1.1"});
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }

    private void send(SSLSocket s, String path) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static int status(String statusLine) throws IOException {
        if (statusLine == null || !statusLine.startsWith("HTTP/1.1 ")) {
            throw new IOException("unexpected status line: " + statusLine);
        }
        return Integer.parseInt(statusLine.substring(9, 12));
    }
}
