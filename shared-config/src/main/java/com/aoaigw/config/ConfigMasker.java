package com.aoaigw.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Masks secrets for the admin API and puts them back on save. A masked document shows {@link Secret#MASK} for every
 * secret held in the document; {@code env:NAME} references stay visible (they name a variable, they are not secret);
 * empty secrets stay empty so the page can tell "not set" from "set".
 */
public final class ConfigMasker {
    private ConfigMasker() {
    }

    /**
     * @param config a document
     * @return the document as JSON with every stored secret value replaced by the mask
     */
    public static JsonNode mask(GatewayConfig config) {
        JsonNode tree = new ConfigLoader(n -> null).toTree(config);
        for (SecretRefs.Located l : SecretRefs.all(config)) {
            Secret s = l.secret();
            if (!s.stored().isEmpty() && !s.isReference()) {
                set(tree, l.path(), Secret.MASK);
            }
        }
        return tree;
    }

    /**
     * @param config a document
     * @return {@link #mask(GatewayConfig)} as pretty-printed JSON text
     */
    public static String maskToString(GatewayConfig config) {
        return mask(config).toPrettyString();
    }

    /**
     * Puts the current secrets back wherever the incoming document still holds the mask. Client keys are matched by
     * {@code id}, upstream auth blocks by upstream {@code name}; when no match by name exists, the entry at the same
     * position is used; the global {@code auth} and {@code server.adminAuth} are matched by position.
     *
     * @param incoming the document sent by the admin page (possibly with masks)
     * @param current  the document now stored
     * @return the incoming document with real secrets
     * @throws ConfigException when a mask has nothing to stand for (e.g. a new key sent as the mask)
     */
    public static GatewayConfig unmask(GatewayConfig incoming, GatewayConfig current) {
        List<ConfigProblem> problems = new ArrayList<>();
        ServerSettings s = incoming.server();
        AdminAuth ia = s.adminAuth();
        AdminAuth ca = current.server().adminAuth();
        AdminAuth adminAuth = new AdminAuth(ia.enabled(), ia.username(),
                keep(ia.password(), ca.password(), "server.adminAuth.password", problems),
                keep(ia.passwordHash(), ca.passwordHash(), "server.adminAuth.passwordHash", problems));
        ServerSettings server = new ServerSettings(s.host(), s.port(), s.adminPath(), adminAuth, s.adminAllowedCidrs(),
                s.caddy(), s.imageCompression(), s.upstream());
        AuthSettings auth = auth(incoming.auth(), current.auth(), "auth", problems);
        List<ClientKey> keys = new ArrayList<>();
        for (int i = 0; i < incoming.apiKeys().size(); i++) {
            ClientKey k = incoming.apiKeys().get(i);
            ClientKey match = match(current.apiKeys(), i, c -> c.id().equals(k.id()));
            keys.add(new ClientKey(k.id(), keep(k.key(), match == null ? null : match.key(),
                    "apiKeys[" + i + "].key", problems), k.status(), k.models()));
        }
        List<Upstream> ups = new ArrayList<>();
        for (int i = 0; i < incoming.upstreams().size(); i++) {
            Upstream u = incoming.upstreams().get(i);
            Upstream match = match(current.upstreams(), i, c -> c.name().equals(u.name()));
            AuthSettings a = u.auth() == null ? null
                    : auth(u.auth(), match == null ? null : match.auth(), "upstreams[" + i + "].auth", problems);
            ups.add(new Upstream(u.name(), u.baseUrl(), u.routes(), a, u.scope(), u.apiStyle(), u.apiVersion()));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new GatewayConfig(server, auth, keys, ups, incoming.models());
    }

    private static <T> T match(List<T> current, int index, java.util.function.Predicate<T> byName) {
        for (T c : current) {
            if (byName.test(c)) {
                return c;
            }
        }
        return index < current.size() ? current.get(index) : null;
    }

    private static AuthSettings auth(AuthSettings in, AuthSettings cur, String path, List<ConfigProblem> problems) {
        return new AuthSettings(in.mode(), in.tenantId(), in.clientId(),
                keep(in.clientSecret(), cur == null ? null : cur.clientSecret(), path + ".clientSecret", problems),
                in.managedIdentityClientId(), in.scope(),
                keep(in.apiKey(), cur == null ? null : cur.apiKey(), path + ".apiKey", problems),
                in.authorityHost());
    }

    private static Secret keep(Secret incoming, Secret current, String path, List<ConfigProblem> problems) {
        if (!Secret.MASK.equals(incoming.stored())) {
            return incoming;
        }
        if (current == null || current.stored().isEmpty()) {
            problems.add(ConfigProblem.error(path, "holds the mask " + Secret.MASK
                    + " but no stored secret matches it; type the value again"));
            return incoming;
        }
        return current;
    }

    private static void set(JsonNode tree, String path, String value) {
        // paths come from SecretRefs: dotted names and [index] segments only
        JsonNode node = tree;
        String[] parts = path.split("\\.");
        for (int p = 0; p < parts.length; p++) {
            String part = parts[p];
            String name = part;
            List<Integer> indices = new ArrayList<>();
            int bracket = part.indexOf('[');
            if (bracket >= 0) {
                name = part.substring(0, bracket);
                for (String ix : part.substring(bracket + 1, part.length() - 1).split("\\]\\[")) {
                    indices.add(Integer.parseInt(ix));
                }
            }
            boolean last = p == parts.length - 1;
            if (last && indices.isEmpty()) {
                if (node instanceof ObjectNode o && o.has(name)) {
                    o.put(name, value);
                }
                return;
            }
            node = node.get(name);
            for (int i = 0; i < indices.size() && node != null; i++) {
                if (last && i == indices.size() - 1 && node instanceof ArrayNode a) {
                    a.set(indices.get(i), a.textNode(value));
                    return;
                }
                node = node.get(indices.get(i));
            }
            if (node == null) {
                return;
            }
        }
    }
}
