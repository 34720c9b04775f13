package com.aoaigw.proxy.translate;

import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A chat completions client served by a responses backend: the request goes chat → responses, the answer
 * (JSON or stream) comes back responses → chat.
 *
 * <p>Request mapping: every message keeps its place in {@code input} (system and developer messages too, as
 * messages with their role, so nothing is lost and the order holds); text, image and file parts map to
 * {@code input_text}/{@code output_text}, {@code input_image}, {@code input_file}; assistant {@code tool_calls}
 * become {@code function_call} items with {@code call_id} = the call id, and tool messages become
 * {@code function_call_output} items. Tools, {@code tool_choice}, {@code response_format} (json_schema flattened),
 * max tokens, reasoning effort and verbosity are mapped; 1:1 fields pass. What responses cannot express ({@code n
 * > 1}, {@code stop}, {@code seed}, {@code logprobs}, non-zero penalties, {@code logit_bias}, {@code audio},
 * {@code prediction}, ...) is a 400 naming the field. A message {@code name} is not expressible and is ignored,
 * because it only labels a participant. Unknown fields pass unchanged for the backend to judge.
 */
public final class ChatToResponsesTranslator {
    /** Fields that pass with the same name and meaning. */
    private static final List<String> SAME = List.of("model", "stream", "temperature", "top_p", "user",
            "metadata", "store", "service_tier", "parallel_tool_calls", "prompt_cache_key", "safety_identifier",
            "prompt_cache_retention", "reasoning", "thinking", "top_k", "background");
    /** Fields handled explicitly below (never passed raw). */
    private static final Set<String> HANDLED = Set.of("messages", "tools", "functions", "tool_choice",
            "function_call", "max_tokens", "max_completion_tokens", "reasoning_effort", "response_format",
            "verbosity", "n", "stream_options", "stop", "seed", "logprobs", "top_logprobs", "frequency_penalty",
            "presence_penalty", "logit_bias", "prediction", "modalities", "audio", "best_of", "suffix", "echo");
    /** Fields responses cannot express at all. */
    private static final Map<String, String> UNSUPPORTED = Map.of(
            "stop", "stop sequences",
            "seed", "seed",
            "logit_bias", "logit_bias",
            "prediction", "predicted outputs",
            "audio", "audio output",
            "best_of", "best_of",
            "suffix", "suffix",
            "echo", "echo");

    private final ObjectMapper mapper;
    private final IdSource ids;
    private final InstantSource clock;

    /**
     * A translator.
     *
     * @param mapper JSON mapper for parsing upstream events
     * @param ids    id source for objects the proxy invents
     * @param clock  clock for {@code created}
     */
    public ChatToResponsesTranslator(ObjectMapper mapper, IdSource ids, InstantSource clock) {
        this.mapper = mapper;
        this.ids = ids;
        this.clock = clock;
    }

    /**
     * Translates a chat completions request into a responses request.
     *
     * @param chat the client body, not modified
     * @return the responses body
     * @throws TranslationException for what responses cannot express
     */
    public ObjectNode translateRequest(ObjectNode chat) {
        rejectUntranslatable(chat);
        ObjectNode out = Json.object();
        Json.copyUnhandled(chat, out, SAME, HANDLED);
        out.set("input", input(chat.get("messages")));
        tools(chat, out);
        toolChoice(chat, out);
        if (Json.has(chat, "max_completion_tokens")) {
            out.set("max_output_tokens", chat.get("max_completion_tokens").deepCopy());
        } else if (Json.has(chat, "max_tokens")) {
            out.set("max_output_tokens", chat.get("max_tokens").deepCopy());
        }
        if (Json.has(chat, "reasoning_effort")) {
            ObjectNode reasoning = out.get("reasoning") instanceof ObjectNode existing ? existing
                    : out.putObject("reasoning");
            if (!Json.has(reasoning, "effort")) {
                reasoning.set("effort", chat.get("reasoning_effort").deepCopy());
            }
        }
        responseFormat(chat, out);
        if (Json.has(chat, "verbosity")) {
            ObjectNode text = out.get("text") instanceof ObjectNode existing ? existing : out.putObject("text");
            text.set("verbosity", chat.get("verbosity").deepCopy());
        }
        return out;
    }

    private static void rejectUntranslatable(ObjectNode chat) {
        for (Map.Entry<String, String> entry : UNSUPPORTED.entrySet()) {
            if (Json.has(chat, entry.getKey())) {
                throw TranslationException.unsupported(entry.getKey(), "This model is served by the Responses API, "
                        + "which does not support " + entry.getValue() + "; remove " + entry.getKey() + ".");
            }
        }
        JsonNode n = chat.get("n");
        if (n != null && !n.isNull() && !(n.isNumber() && n.asInt() == 1)) {
            throw TranslationException.unsupported("n", "This model is served by the Responses API, which returns "
                    + "one choice; n must be 1.");
        }
        if (chat.path("logprobs").asBoolean(false) || Json.has(chat, "top_logprobs")) {
            String field = chat.path("logprobs").asBoolean(false) ? "logprobs" : "top_logprobs";
            throw TranslationException.unsupported(field, "This model is served by the Responses API; log "
                    + "probabilities cannot be translated, remove " + field + ".");
        }
        for (String penalty : List.of("frequency_penalty", "presence_penalty")) {
            JsonNode value = chat.get(penalty);
            if (value != null && !value.isNull() && !(value.isNumber() && value.asDouble() == 0)) {
                throw TranslationException.unsupported(penalty, "This model is served by the Responses API, which "
                        + "does not support " + penalty + "; remove it.");
            }
        }
        JsonNode modalities = chat.get("modalities");
        if (modalities != null && modalities.isArray()) {
            for (JsonNode modality : modalities) {
                if (!"text".equals(modality.asText())) {
                    throw TranslationException.unsupported("modalities", "This model is served by the Responses "
                            + "API, which only returns text here; remove '" + modality.asText() + "' from modalities.");
                }
            }
        }
    }

    private static ArrayNode input(JsonNode messages) {
        if (messages == null || !messages.isArray()) {
            throw TranslationException.unsupported("messages", "messages must be an array of messages.");
        }
        ArrayNode input = Json.array();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String role = Json.text(message, "role");
            String param = "messages[" + i + "]";
            if (role == null) {
                throw TranslationException.unsupported(param + ".role", "Every message needs a role.");
            }
            switch (role) {
                case "system", "developer", "user" -> input.add(message(role, message.get("content"), param, false));
                case "assistant" -> assistant(message, param, input);
                case "tool" -> {
                    ObjectNode output = input.addObject();
                    output.put("type", "function_call_output");
                    output.set("call_id", message.path("tool_call_id").deepCopy());
                    output.set("output", toolOutput(message.get("content"), param));
                }
                default -> throw TranslationException.unsupported(param + ".role", "Message role '" + role
                        + "' cannot be translated to the Responses API; use tool_calls and tool messages.");
            }
        }
        return input;
    }

    private static ObjectNode message(String role, JsonNode content, String param, boolean output) {
        ObjectNode item = Json.object();
        item.put("type", "message");
        item.put("role", role);
        if (content == null || content.isNull() || content.isTextual()) {
            item.set("content", content == null || content.isNull() ? Json.NODES.textNode("") : content.deepCopy());
            return item;
        }
        ArrayNode parts = item.putArray("content");
        for (int j = 0; j < content.size(); j++) {
            parts.add(part(content.get(j), param + ".content[" + j + "]", output));
        }
        return item;
    }

    private static ObjectNode part(JsonNode part, String param, boolean output) {
        String type = Json.text(part, "type");
        ObjectNode out = Json.object();
        switch (type == null ? "" : type) {
            case "text" -> {
                out.put("type", output ? "output_text" : "input_text");
                out.set("text", part.path("text").deepCopy());
                if (output) {
                    out.putArray("annotations");
                }
            }
            case "refusal" -> {
                out.put("type", "refusal");
                out.set("refusal", part.path("refusal").deepCopy());
            }
            case "image_url" -> {
                JsonNode image = part.get("image_url");
                out.put("type", "input_image");
                if (image != null && image.isTextual()) {
                    out.set("image_url", image.deepCopy());
                } else if (image != null && image.isObject()) {
                    Json.copy(image, out, "url");
                    out.set("image_url", out.remove("url"));
                    out.put("detail", Json.text(image, "detail") == null ? "auto" : Json.text(image, "detail"));
                }
            }
            case "file" -> {
                out.put("type", "input_file");
                JsonNode file = part.path("file");
                Json.copy(file, out, "file_id");
                Json.copy(file, out, "file_data");
                Json.copy(file, out, "filename");
            }
            default -> throw TranslationException.unsupported(param + ".type", "Content part type '" + type
                    + "' cannot be translated to the Responses API.");
        }
        return out;
    }

    private static void assistant(JsonNode message, String param, ArrayNode input) {
        JsonNode content = message.get("content");
        boolean hasContent = content != null && !content.isNull()
                && !(content.isTextual() && content.asText().isEmpty())
                && !(content.isArray() && content.isEmpty());
        JsonNode calls = message.get("tool_calls");
        boolean hasCalls = calls != null && calls.isArray() && !calls.isEmpty();
        if (Json.has(message, "refusal") && !hasContent) {
            ObjectNode item = input.addObject();
            item.put("type", "message");
            item.put("role", "assistant");
            item.putArray("content").addObject().put("type", "refusal").set("refusal", message.get("refusal"));
        }
        if (hasContent || (!hasCalls && !Json.has(message, "refusal"))) {
            ObjectNode item = message("assistant", content, param, true);
            input.add(item);
        }
        if (Json.has(message, "function_call")) {
            throw TranslationException.unsupported(param + ".function_call", "Legacy function_call messages cannot "
                    + "be translated; use tool_calls.");
        }
        if (!hasCalls) {
            return;
        }
        for (int k = 0; k < calls.size(); k++) {
            JsonNode call = calls.get(k);
            String type = Json.text(call, "type");
            if (type != null && !"function".equals(type)) {
                throw TranslationException.unsupported(param + ".tool_calls[" + k + "].type", "Tool call type '"
                        + type + "' cannot be translated to the Responses API.");
            }
            ObjectNode item = input.addObject();
            item.put("type", "function_call");
            item.set("call_id", call.path("id").deepCopy());
            item.set("name", call.path("function").path("name").deepCopy());
            JsonNode arguments = call.path("function").get("arguments");
            item.set("arguments", arguments == null ? Json.NODES.textNode("") : arguments.deepCopy());
        }
    }

    private static JsonNode toolOutput(JsonNode content, String param) {
        if (content == null || content.isNull()) {
            return Json.NODES.textNode("");
        }
        if (content.isTextual()) {
            return content.deepCopy();
        }
        ArrayNode parts = Json.array();
        for (int j = 0; j < content.size(); j++) {
            parts.add(part(content.get(j), param + ".content[" + j + "]", false));
        }
        return parts;
    }

    private static void tools(ObjectNode chat, ObjectNode out) {
        JsonNode tools = chat.get("tools");
        JsonNode functions = chat.get("functions");
        if ((tools == null || tools.isNull()) && functions != null && functions.isArray()) {
            ArrayNode converted = out.putArray("tools");
            for (JsonNode function : functions) {
                converted.add(flatFunction(function));
            }
            return;
        }
        if (tools == null || !tools.isArray()) {
            Json.copy(chat, out, "tools");
            return;
        }
        ArrayNode converted = out.putArray("tools");
        for (JsonNode tool : tools) {
            String type = Json.text(tool, "type");
            if ("function".equals(type) && tool.has("function")) {
                converted.add(flatFunction(tool.get("function")));
            } else if ("custom".equals(type) && tool.has("custom")) {
                ObjectNode custom = converted.addObject();
                custom.put("type", "custom");
                tool.get("custom").properties().forEach(e -> custom.set(e.getKey(), e.getValue().deepCopy()));
            } else {
                converted.add(tool.deepCopy());
            }
        }
    }

    private static ObjectNode flatFunction(JsonNode function) {
        ObjectNode flat = Json.object();
        flat.put("type", "function");
        function.properties().forEach(e -> flat.set(e.getKey(), e.getValue().deepCopy()));
        return flat;
    }

    private static void toolChoice(ObjectNode chat, ObjectNode out) {
        JsonNode choice = chat.get("tool_choice");
        if (choice == null && Json.has(chat, "function_call") && !Json.has(chat, "tools")) {
            JsonNode legacy = chat.get("function_call");
            if (legacy.isTextual()) {
                out.set("tool_choice", legacy.deepCopy());
            } else {
                out.putObject("tool_choice").put("type", "function").set("name", legacy.path("name").deepCopy());
            }
            return;
        }
        if (choice == null || !choice.isObject()) {
            Json.copy(chat, out, "tool_choice");
            return;
        }
        String type = Json.text(choice, "type");
        ObjectNode converted = Json.object();
        switch (type == null ? "" : type) {
            case "function" -> converted.put("type", "function").set("name", choice.path("function").path("name")
                    .deepCopy());
            case "custom" -> converted.put("type", "custom").set("name", choice.path("custom").path("name")
                    .deepCopy());
            case "allowed_tools" -> {
                JsonNode allowed = choice.path("allowed_tools");
                converted.put("type", "allowed_tools");
                Json.copy(allowed, converted, "mode");
                ArrayNode list = converted.putArray("tools");
                for (JsonNode tool : allowed.path("tools")) {
                    if ("function".equals(Json.text(tool, "type")) && tool.has("function")) {
                        list.addObject().put("type", "function").set("name", tool.path("function").path("name")
                                .deepCopy());
                    } else if ("custom".equals(Json.text(tool, "type")) && tool.has("custom")) {
                        list.addObject().put("type", "custom").set("name", tool.path("custom").path("name")
                                .deepCopy());
                    } else {
                        list.add(tool.deepCopy());
                    }
                }
            }
            default -> converted.setAll((ObjectNode) choice.deepCopy());
        }
        out.set("tool_choice", converted);
    }

    private static void responseFormat(ObjectNode chat, ObjectNode out) {
        JsonNode format = chat.get("response_format");
        if (format == null || format.isNull()) {
            return;
        }
        ObjectNode text = out.get("text") instanceof ObjectNode existing ? existing : out.putObject("text");
        if ("json_schema".equals(Json.text(format, "type"))) {
            ObjectNode flat = Json.object();
            flat.put("type", "json_schema");
            JsonNode schema = format.path("json_schema");
            schema.properties().forEach(e -> flat.set(e.getKey(), e.getValue().deepCopy()));
            text.set("format", flat);
        } else {
            text.set("format", format.deepCopy());
        }
    }

    /**
     * Translates a non-streaming responses answer into a chat completion.
     *
     * @param response the upstream responses JSON
     * @return the chat completion for the client
     * @throws TranslationException (502) when the upstream response failed
     */
    public ObjectNode translateResponse(JsonNode response) {
        if ("failed".equals(Json.text(response, "status"))) {
            JsonNode error = response.path("error");
            throw new TranslationException(502, null, error.path("code").asText("upstream_failed"),
                    error.path("message").asText("The upstream response failed."));
        }
        ObjectNode out = Json.object();
        out.set("id", response.path("id").deepCopy());
        out.put("object", "chat.completion");
        out.put("created", response.path("created_at").asLong(clock.instant().getEpochSecond()));
        out.set("model", response.path("model").deepCopy());
        ObjectNode choice = out.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        StringBuilder text = new StringBuilder();
        StringBuilder refusal = new StringBuilder();
        boolean sawText = false;
        ArrayNode toolCalls = Json.array();
        for (JsonNode item : response.path("output")) {
            switch (Json.text(item, "type") == null ? "" : Json.text(item, "type")) {
                case "message" -> {
                    for (JsonNode part : item.path("content")) {
                        if ("output_text".equals(Json.text(part, "type"))) {
                            text.append(part.path("text").asText());
                            sawText = true;
                        } else if ("refusal".equals(Json.text(part, "type"))) {
                            refusal.append(part.path("refusal").asText());
                        }
                    }
                }
                case "function_call" -> toolCalls.add(chatToolCall(item, -1));
                default -> {
                    // Reasoning items and hosted tool calls have no chat representation.
                }
            }
        }
        if (sawText || (toolCalls.isEmpty() && refusal.isEmpty())) {
            message.put("content", text.toString());
        } else {
            message.putNull("content");
        }
        if (!refusal.isEmpty()) {
            message.put("refusal", refusal.toString());
        } else {
            message.putNull("refusal");
        }
        if (!toolCalls.isEmpty()) {
            message.set("tool_calls", toolCalls);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(response, !toolCalls.isEmpty()));
        JsonNode usage = response.get("usage");
        if (usage != null && usage.isObject()) {
            out.set("usage", UsageMapper.toChat(UsageMapper.read(usage), usage));
        }
        return out;
    }

    /** A chat {@code tool_calls[]} entry for a responses {@code function_call} item ({@code index} < 0: none). */
    static ObjectNode chatToolCall(JsonNode item, int index) {
        ObjectNode call = Json.object();
        if (index >= 0) {
            call.put("index", index);
        }
        call.set("id", item.path("call_id").deepCopy());
        call.put("type", "function");
        ObjectNode function = call.putObject("function");
        function.set("name", item.path("name").deepCopy());
        function.put("arguments", item.path("arguments").asText(""));
        return call;
    }

    /** finish_reason from a Responses status and incomplete_details. */
    static String finishReason(JsonNode response, boolean toolCalls) {
        if ("incomplete".equals(Json.text(response, "status"))) {
            String reason = response.path("incomplete_details").path("reason").asText("");
            return "content_filter".equals(reason) ? "content_filter" : "length";
        }
        return toolCalls ? "tool_calls" : "stop";
    }

    /**
     * A stream translator for one request: responses events in, chat chunks out.
     *
     * @param clientRequest the client's chat request (for {@code stream_options.include_usage})
     * @return a new translator
     */
    public StreamTranslator newStreamTranslator(JsonNode clientRequest) {
        boolean includeUsage = clientRequest.path("stream_options").path("include_usage").asBoolean(false);
        return new ResponsesEventsToChatChunks(mapper, includeUsage, ids.next("chatcmpl"),
                clock.instant().getEpochSecond());
    }
}
