package com.aoaigw.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Azure's content-filter result objects: all safe for answers, and the blocking body of the content-filter fault. */
final class ContentFilter {
    private ContentFilter() {
    }

    /** @return a fresh "everything safe" {@code content_filter_results} object */
    static ObjectNode results(ObjectMapper mapper) {
        ObjectNode r = mapper.createObjectNode();
        for (String category : new String[] {"hate", "self_harm", "sexual", "violence"}) {
            ObjectNode c = r.putObject(category);
            c.put("filtered", false);
            c.put("severity", "safe");
        }
        return r;
    }

    /** @return the HTTP 400 body Azure sends when the prompt is blocked (azure-wire.md 3.2) */
    static ObjectNode blockedPromptError(ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        ObjectNode e = root.putObject("error");
        e.put("message", "The response was filtered due to the prompt triggering Azure OpenAI's content management "
                + "policy. Please modify your prompt and retry. To learn more about our content filtering policies "
                + "please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766");
        e.putNull("type");
        e.put("param", "prompt");
        e.put("code", "content_filter");
        e.put("status", 400);
        ObjectNode inner = e.putObject("innererror");
        inner.put("code", "ResponsibleAIPolicyViolation");
        ObjectNode r = inner.putObject("content_filter_result");
        severity(r, "hate", true, "high");
        severity(r, "self_harm", false, "safe");
        severity(r, "sexual", false, "safe");
        severity(r, "violence", true, "medium");
        ObjectNode jb = r.putObject("jailbreak");
        jb.put("filtered", true);
        jb.put("detected", true);
        return root;
    }

    private static void severity(ObjectNode r, String name, boolean filtered, String severity) {
        ObjectNode c = r.putObject(name);
        c.put("filtered", filtered);
        c.put("severity", severity);
    }
}
