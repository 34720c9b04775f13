package com.aoaigw.proxy.admin;

import java.util.List;

import com.aoaigw.config.ConfigProblem;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/**
 * The one error shape of the admin API: {@code {"error":{"message","code","details":[{path,message,severity}]}}}.
 */
final class AdminErrors {
    private AdminErrors() {
    }

    static void send(ObjectMapper mapper, ServerResponse res, int status, String code, String message) {
        send(mapper, res, status, code, message, List.of(), null);
    }

    static void send(ObjectMapper mapper, ServerResponse res, int status, String code, String message,
                     List<ConfigProblem> details, ObjectNode extra) {
        ObjectNode root = mapper.createObjectNode();
        ObjectNode err = root.putObject("error");
        err.put("message", message);
        err.put("code", code);
        ArrayNode d = err.putArray("details");
        for (ConfigProblem p : details) {
            d.add(problem(mapper, p));
        }
        if (extra != null) {
            extra.fields().forEachRemaining(e -> root.set(e.getKey(), e.getValue()));
        }
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(root.toString());
    }

    static ObjectNode problem(ObjectMapper mapper, ConfigProblem p) {
        ObjectNode n = mapper.createObjectNode();
        n.put("path", p.path());
        n.put("message", p.message());
        n.put("severity", p.severity().name().toLowerCase(java.util.Locale.ROOT));
        return n;
    }

    static ArrayNode problems(ObjectMapper mapper, List<ConfigProblem> problems) {
        ArrayNode a = mapper.createArrayNode();
        problems.forEach(p -> a.add(problem(mapper, p)));
        return a;
    }
}
