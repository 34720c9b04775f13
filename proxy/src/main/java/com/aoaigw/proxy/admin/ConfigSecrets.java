package com.aoaigw.proxy.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.aoaigw.config.AuthSettings;
import com.aoaigw.config.ClientKey;
import com.aoaigw.config.GatewayConfig;
import com.aoaigw.config.Secret;
import com.aoaigw.config.Upstream;

/** The secrets of a config, by path: their values (to scrub from logs) and their environment references. */
final class ConfigSecrets {
    private ConfigSecrets() {
    }

    static Map<String, Secret> all(GatewayConfig c) {
        Map<String, Secret> out = new LinkedHashMap<>();
        out.put("server.adminAuth.password", c.server().adminAuth().password());
        out.put("server.adminAuth.passwordHash", c.server().adminAuth().passwordHash());
        auth(out, "auth", c.auth());
        for (int i = 0; i < c.apiKeys().size(); i++) {
            ClientKey k = c.apiKeys().get(i);
            out.put("apiKeys[" + i + "].key", k.key());
        }
        for (int i = 0; i < c.upstreams().size(); i++) {
            Upstream u = c.upstreams().get(i);
            if (u.auth() != null) {
                auth(out, "upstreams[" + i + "].auth", u.auth());
            }
        }
        out.values().removeIf(Secret::isEmpty);
        return out;
    }

    private static void auth(Map<String, Secret> out, String path, AuthSettings a) {
        out.put(path + ".clientSecret", a.clientSecret());
        out.put(path + ".apiKey", a.apiKey());
    }

    /**
     * @param c a config
     * @return every secret value (for redaction)
     */
    static List<String> values(GatewayConfig c) {
        List<String> out = new ArrayList<>();
        for (Secret s : all(c).values()) {
            out.add(s.reveal());
            if (!s.isReference() && !s.stored().equals(s.reveal())) {
                out.add(s.stored());
            }
        }
        return out;
    }

    /**
     * @param c a config
     * @return path to environment variable name, for every secret given as {@code env:NAME}
     */
    static Map<String, String> references(GatewayConfig c) {
        Map<String, String> out = new LinkedHashMap<>();
        all(c).forEach((path, s) -> {
            if (s.isReference()) {
                out.put(path, s.referenceName());
            }
        });
        // a reference to an unset variable resolves to an empty value, which all() drops; list those too
        addEmptyReferences(c, out);
        return out;
    }

    private static void addEmptyReferences(GatewayConfig c, Map<String, String> out) {
        Map<String, Secret> raw = new LinkedHashMap<>();
        raw.put("server.adminAuth.password", c.server().adminAuth().password());
        raw.put("server.adminAuth.passwordHash", c.server().adminAuth().passwordHash());
        auth(raw, "auth", c.auth());
        for (int i = 0; i < c.apiKeys().size(); i++) {
            raw.put("apiKeys[" + i + "].key", c.apiKeys().get(i).key());
        }
        for (int i = 0; i < c.upstreams().size(); i++) {
            if (c.upstreams().get(i).auth() != null) {
                auth(raw, "upstreams[" + i + "].auth", c.upstreams().get(i).auth());
            }
        }
        raw.forEach((path, s) -> {
            if (s.isReference()) {
                out.putIfAbsent(path, s.referenceName());
            }
        });
    }
}
