package com.aoaigw.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads the parts of a Chat Completions or Responses request body that decide the simulated answer. */
final class PromptParser {
    private PromptParser() {
    }

    /**
     * @param body       the chat request
     * @param deployment the deployment name
     * @return the prompt
     */
    static Prompt fromChat(JsonNode body, String deployment) {
        StringBuilder all = new StringBuilder();
        String lastUser = "";
        String toolOutput = null;
        int messages = 0;
        for (JsonNode m : body.path("messages")) {
            messages++;
            String role = m.path("role").asText("");
            String text = text(m.path("content"));
            all.append(text).append(' ');
            if (role.equals("user")) {
                lastUser = text;
            }
            toolOutput = role.equals("tool") ? text : null;
        }
        List<String> tools = new ArrayList<>();
        Map<String, JsonNode> schemas = new HashMap<>();
        for (JsonNode t : body.path("tools")) {
            String name = t.path("function").path("name").asText("");
            if (!name.isEmpty()) {
                tools.add(name);
                if (t.path("function").path("parameters").isObject()) {
                    schemas.put(name, t.path("function").path("parameters"));
                }
            }
        }
        JsonNode choice = body.path("tool_choice");
        String forced = null;
        boolean off = false;
        if (choice.isTextual()) {
            off = choice.asText().equals("none");
            forced = choice.asText().equals("required") ? "" : null;
        } else if (choice.isObject()) {
            forced = choice.path("function").path("name").asText("");
        }
        Integer max = intOrNull(body.get("max_completion_tokens"));
        if (max == null) {
            max = intOrNull(body.get("max_tokens"));
        }
        int promptTokens = CompletionPlanner.countWords(all.toString()) + messages;
        return new Prompt(deployment, Math.max(1, promptTokens), lastUser, toolOutput, List.copyOf(tools), forced,
                off, max, schemas);
    }

    /**
     * @param body       the responses request
     * @param deployment the deployment name
     * @return the prompt
     */
    static Prompt fromResponses(JsonNode body, String deployment) {
        StringBuilder all = new StringBuilder(body.path("instructions").asText(""));
        all.append(' ');
        String lastUser = "";
        String toolOutput = null;
        int items = 0;
        JsonNode input = body.path("input");
        if (input.isTextual()) {
            items = 1;
            lastUser = input.asText();
            all.append(lastUser);
        } else {
            for (JsonNode item : input) {
                items++;
                String type = item.path("type").asText("message");
                if (type.equals("function_call_output")) {
                    JsonNode out = item.path("output");
                    toolOutput = out.isTextual() ? out.asText() : text(out);
                    all.append(toolOutput).append(' ');
                    continue;
                }
                toolOutput = null;
                if (type.equals("message")) {
                    String text = text(item.path("content"));
                    all.append(text).append(' ');
                    if (item.path("role").asText("user").equals("user")) {
                        lastUser = text;
                    }
                } else if (type.equals("function_call")) {
                    all.append(item.path("arguments").asText("")).append(' ');
                }
            }
        }
        List<String> tools = new ArrayList<>();
        Map<String, JsonNode> schemas = new HashMap<>();
        for (JsonNode t : body.path("tools")) {
            String name = t.path("name").asText("");
            JsonNode params = t.path("parameters");
            if (name.isEmpty()) {
                name = t.path("function").path("name").asText("");
                params = t.path("function").path("parameters");
            }
            if (!name.isEmpty()) {
                tools.add(name);
                if (params.isObject()) {
                    schemas.put(name, params);
                }
            }
        }
        JsonNode choice = body.path("tool_choice");
        String forced = null;
        boolean off = false;
        if (choice.isTextual()) {
            off = choice.asText().equals("none");
            forced = choice.asText().equals("required") ? "" : null;
        } else if (choice.isObject()) {
            forced = choice.path("name").asText(choice.path("function").path("name").asText(""));
        }
        int promptTokens = CompletionPlanner.countWords(all.toString()) + items;
        return new Prompt(deployment, Math.max(1, promptTokens), lastUser, toolOutput, List.copyOf(tools), forced,
                off, intOrNull(body.get("max_output_tokens")), schemas);
    }

    /** The text of a message content: a string, or the {@code text} of each part of an array. */
    static String text(JsonNode content) {
        if (content == null || content.isNull() || content.isMissingNode()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : content) {
            if (part.isTextual()) {
                sb.append(part.asText());
            } else if (part.has("text")) {
                if (!sb.isEmpty()) {
                    sb.append(' ');
                }
                sb.append(part.path("text").asText(""));
            }
        }
        return sb.toString();
    }

    private static Integer intOrNull(JsonNode n) {
        return n != null && n.canConvertToInt() && n.isNumber() ? n.asInt() : null;
    }
}
