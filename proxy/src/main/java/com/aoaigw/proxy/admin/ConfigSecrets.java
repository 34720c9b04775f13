package com.aoaigw.proxy.admin;

import java.util.ArrayList;
import java.util.List;

import com.aoaigw.config.GatewayConfig;
import com.aoaigw.config.Secret;
import com.aoaigw.config.SecretRefs;

/** The secret values of a config, to scrub from the log view (the fields are found by shared-config's walk). */
final class ConfigSecrets {
    private ConfigSecrets() {
    }

    /**
     * @param c a config
     * @return every secret value, resolved and as stored (a hashed key's hash counts too)
     */
    static List<String> values(GatewayConfig c) {
        List<String> out = new ArrayList<>();
        for (SecretRefs.Located l : SecretRefs.all(c)) {
            Secret s = l.secret();
            if (s.isEmpty()) {
                continue;
            }
            out.add(s.reveal());
            if (!s.isReference() && !s.stored().equals(s.reveal())) {
                out.add(s.stored());
            }
        }
        return out;
    }
}
