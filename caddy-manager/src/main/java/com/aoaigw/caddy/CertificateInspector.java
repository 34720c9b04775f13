package com.aoaigw.caddy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads the certificate Caddy stored for a domain ({@code certificates/<issuer-key>/<domain>/<domain>.crt} under
 * the storage root) and returns its issuer and validity. Caddy 2.6.2 has no API for this; its file storage is the
 * source of truth for what it serves after a restart.
 */
public final class CertificateInspector {
    /** The issuer key of Caddy's internal CA ({@code tls internal} / {@code local_certs}). */
    public static final String LOCAL_ISSUER_KEY = "local";

    private final Path storageRoot;

    /**
     * @param storageRoot Caddy's {@code storage file_system} root
     */
    public CertificateInspector(Path storageRoot) {
        this.storageRoot = storageRoot;
    }

    /**
     * A stored leaf certificate.
     *
     * @param issuerKey the storage folder of its issuer
     * @param issuer    the issuer's distinguished name
     * @param notBefore start of validity
     * @param notAfter  end of validity
     */
    public record CertInfo(String issuerKey, String issuer, Instant notBefore, Instant notAfter) {
    }

    /**
     * @param domain    the domain
     * @param issuerKey the issuer's storage key ({@link #issuerKey(String)} or {@link #LOCAL_ISSUER_KEY})
     * @return the stored leaf, or empty when there is none (yet) or it cannot be read
     */
    public Optional<CertInfo> inspect(String domain, String issuerKey) {
        String name = domainKey(domain);
        Path crt = storageRoot.resolve("certificates").resolve(issuerKey).resolve(name).resolve(name + ".crt");
        if (!Files.isRegularFile(crt)) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(crt)) {
            // the file holds the leaf first, then the chain
            X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return Optional.of(new CertInfo(issuerKey, c.getIssuerX500Principal().getName(),
                    c.getNotBefore().toInstant(), c.getNotAfter().toInstant()));
        } catch (IOException | CertificateException | RuntimeException e) {
            // Caddy may be writing the file right now; the next report reads it again
            return Optional.empty();
        }
    }

    /**
     * The storage key Caddy (certmagic) uses for an ACME directory: host and port, then the path with slashes
     * turned into hyphens ({@code https://acme-v02.api.letsencrypt.org/directory} gives
     * {@code acme-v02.api.letsencrypt.org-directory}).
     *
     * @param directoryUrl the ACME directory URL
     * @return the issuer key
     */
    public static String issuerKey(String directoryUrl) {
        String key = directoryUrl;
        try {
            URI u = URI.create(directoryUrl);
            if (u.getRawAuthority() != null) {
                key = u.getRawAuthority();
                String path = u.getRawPath() == null ? "" : u.getRawPath().replace('/', '-').replace('\\', '-');
                path = path.replaceAll("^-+|-+$", "");
                if (!path.isEmpty()) {
                    key += "-" + path;
                }
            }
        } catch (IllegalArgumentException ignored) {
            // not a URL: certmagic uses the text as it is
        }
        return key.toLowerCase(Locale.ROOT);
    }

    private static String domainKey(String domain) {
        return domain.trim().toLowerCase(Locale.ROOT).replace("*", "wildcard_");
    }
}
