package com.aoaigw.sim;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made in-process at start (an EC P-256 key and a minimal
 * X.509 v3 certificate encoded here, because the JDK has no public certificate builder and spawning keytool costs
 * seconds per simulator), with a PKCS12 key store and a PKCS12 trust store holding only the certificate.
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
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");
    private static final int[] ECDSA_WITH_SHA256 = {1, 2, 840, 10045, 4, 3, 2};
    private static final int[] COMMON_NAME = {2, 5, 4, 3};
    private static final int[] SUBJECT_ALT_NAME = {2, 5, 29, 17};

    /**
     * Generates the key pair and certificate, and writes both stores into {@code dir}.
     *
     * @param dir a private directory for the stores
     * @return the certificate and its stores
     */
    static SelfSignedCertificate generate(Path dir) {
        try {
            SecureRandom random = new SecureRandom();
            byte[] pw = new byte[12];
            random.nextBytes(pw);
            String password = HexFormat.of().formatHex(pw);
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair pair = gen.generateKeyPair();
            X509Certificate cert = selfSign(pair, random);

            Path ks = dir.resolve("keystore.p12");
            Path ts = dir.resolve("truststore.p12");
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry(ALIAS, pair.getPrivate(), password.toCharArray(),
                    new java.security.cert.Certificate[] {cert});
            try (OutputStream o = Files.newOutputStream(ks)) {
                keys.store(o, password.toCharArray());
            }
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry(ALIAS, cert);
            try (OutputStream o = Files.newOutputStream(ts)) {
                trust.store(o, password.toCharArray());
            }
            return new SelfSignedCertificate(ks, ts, password, pair.getPrivate(), cert);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the simulator's certificate in " + dir, e);
        }
    }

    /** @return the certificate chain (just the certificate) */
    List<X509Certificate> chain() {
        return List.of(cert);
    }

    private static X509Certificate selfSign(KeyPair pair, SecureRandom random) throws GeneralSecurityException {
        byte[] name = seq(set(seq(oid(COMMON_NAME), tlv(0x0C, "127.0.0.1".getBytes(StandardCharsets.UTF_8)))));
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        byte[] validity = seq(utcTime(now.minusDays(1)), utcTime(now.plusDays(30)));
        byte[] altNames = seq(tlv(0x87, new byte[] {127, 0, 0, 1}),
                tlv(0x82, "localhost".getBytes(StandardCharsets.US_ASCII)));
        byte[] extensions = tlv(0xA3, seq(seq(oid(SUBJECT_ALT_NAME), tlv(0x04, altNames))));
        byte[] algorithm = seq(oid(ECDSA_WITH_SHA256));
        byte[] tbs = seq(
                tlv(0xA0, integer(BigInteger.TWO)),
                integer(new BigInteger(63, random).add(BigInteger.ONE)),
                algorithm,
                name,
                validity,
                name,
                pair.getPublic().getEncoded(),
                extensions);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(pair.getPrivate());
        signer.update(tbs);
        byte[] sig = signer.sign();
        byte[] bitString = new byte[sig.length + 1];
        System.arraycopy(sig, 0, bitString, 1, sig.length);
        byte[] der = seq(tbs, algorithm, tlv(0x03, bitString));
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }

    private static byte[] utcTime(ZonedDateTime t) {
        return tlv(0x17, UTC_TIME.format(t).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] integer(BigInteger v) {
        return tlv(0x02, v.toByteArray());
    }

    private static byte[] oid(int[] arcs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(arcs[0] * 40 + arcs[1]);
        for (int i = 2; i < arcs.length; i++) {
            int v = arcs[i];
            int groups = 1;
            for (int t = v >>> 7; t != 0; t >>>= 7) {
                groups++;
            }
            for (int g = groups - 1; g >= 0; g--) {
                int b = (v >>> (7 * g)) & 0x7F;
                out.write(g == 0 ? b : b | 0x80);
            }
        }
        return tlv(0x06, out.toByteArray());
    }

    private static byte[] seq(byte[]... parts) {
        return tlv(0x30, concat(parts));
    }

    private static byte[] set(byte[]... parts) {
        return tlv(0x31, concat(parts));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** One DER element: tag, definite length (short or long form), content. */
    static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int len = content.length;
        if (len < 0x80) {
            out.write(len);
        } else {
            int bytes = len > 0xFFFFFF ? 4 : len > 0xFFFF ? 3 : len > 0xFF ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write((len >>> (8 * i)) & 0xFF);
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }
}
