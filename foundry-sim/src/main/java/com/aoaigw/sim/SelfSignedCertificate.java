package com.aoaigw.sim;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made with the JDK's {@code keytool} at start, with a PKCS12
 * key store (for the server) and a PKCS12 trust store holding only the certificate (for clients).
 *
 * @param keyStore   the key store path
 * @param trustStore the trust store path
 * @param password   the password of both stores
 * @param privateKey the private key
 * @param cert       the certificate
 */
record SelfSignedCertificate(Path keyStore, Path trustStore, String password, PrivateKey privateKey,
                             X509Certificate cert) {
    private static final String ALIAS = "foundry-sim";

    /**
     * Generates the key pair and certificate in {@code dir}.
     *
     * @param dir a private directory for the stores
     * @return the certificate and its stores
     */
    static SelfSignedCertificate generate(Path dir) {
        byte[] pw = new byte[12];
        new SecureRandom().nextBytes(pw);
        String password = HexFormat.of().formatHex(pw);
        Path ks = dir.resolve("keystore.p12");
        Path ts = dir.resolve("truststore.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        ProcessBuilder pb = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", ALIAS,
                "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                "-dname", "CN=127.0.0.1, O=foundry-sim", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-validity", "30", "-storetype", "PKCS12", "-keystore", ks.toString(),
                "-storepass", password, "-keypass", password, "-noprompt")
                .redirectErrorStream(true);
        try {
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool failed to make the simulator's certificate: "
                        + new String(out, StandardCharsets.UTF_8));
            }
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(ks)) {
                keys.load(in, password.toCharArray());
            }
            PrivateKey key = (PrivateKey) keys.getKey(ALIAS, password.toCharArray());
            X509Certificate cert = (X509Certificate) keys.getCertificate(ALIAS);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry(ALIAS, cert);
            try (OutputStream o = Files.newOutputStream(ts)) {
                trust.store(o, password.toCharArray());
            }
            return new SelfSignedCertificate(ks, ts, password, key, cert);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the simulator's certificate in " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making the simulator's certificate", e);
        }
    }

    /** @return the certificate chain (just the certificate) */
    List<X509Certificate> chain() {
        return List.of(cert);
    }
}
