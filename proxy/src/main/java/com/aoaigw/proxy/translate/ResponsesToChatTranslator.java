package com.aoaigw.proxy.translate;

import java.time.InstantSource;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A responses client served by a chat completions backend: the request goes responses → chat, the answer (JSON or
 * stream) comes back chat → responses as a full Response object or a valid Responses event sequence.
 *
 * <p>Request mapping: {@code instructions} becomes a first system message; every input item keeps its place
 * (system and developer messages keep their role); {@code function_call} items become assistant
 * {@code tool_calls} (merged into the assistant message just before them, so no empty assistant message is
 * invented) and {@code function_call_output} items become tool messages with the same call id. Function and custom
 * tools map; hosted tools (web search, file search, MCP, ...) cannot be expressed on chat and are a 400 naming the
 * tool type. Stateful features ({@code previous_response_id}, {@code conversation}, {@code background},
 * {@code store: true}, {@code prompt} templates, {@code include}, {@code max_tool_calls}, {@code truncation:auto},
 * {@code context_management}) are a 400 naming the field. Reasoning items sent back as input and a requested
 * reasoning {@code summary} are ignored: they are model-internal state and an optional extra that chat backends
 * cannot produce, and failing on them would break every agent that replays its history.
 */
public final class ResponsesToChatTranslator {
    private static final List<String> SAME = List.of("model", "stream", "temperature", "top_p", "user",
            "metadata", "parallel_tool_calls", "service_tier", "prompt_cache_key", "safety_identifier",
            "prompt_cache_retention", "top_logprobs", "top_k", "thinking", "reasoning_effort", "store");
    private static final Set<String> HANDLED = Set.of("input", "instructions", "tools", "tool_choice", "text",
            "max_output_tokens", "reasoning", "stream_options", "previous_response_id", "conversation", "background",
            "prompt", "include", "max_tool_calls", "truncation", "context_management");
    /** {@code include} values that only ask for state a chat backend never produces; they are harmless to ignore. */
    private static final Set<String> IGNORABLE_INCLUDES = Set.of("reasoning.encrypted_content");

    private final ObjectMapper mapper;
    private final IdSource ids;
    private final InstantSource clock;

    /**
     * A translator.
     *
     * @param mapper JSON mapper for parsing upstream events
     * @param ids    id source for the response and item ids the proxy invents
     * @param clock  clock for {@code created_at}
     */
    public ResponsesToChatTranslator(ObjectMapper mapper, IdSource ids, InstantSource clock) {
        this.mapper = mapper;
        this.ids = ids;
        this.clock = clock;
    }

    /**
     * Translates a responses request into a chat completions request.
     *
     * @param request the client body, not modified
     * @return the chat body
     * @throws TranslationException for what chat completions cannot express
     */
    public ObjectNode translateRequest(ObjectNode request) {
        rejectStateful(request);
        ObjectNode out = Json.object();
        Json.copyUnhandled(request, out, SAME, HANDLED);
        out.set("messages", messages(request));
        tools(request, out);
        toolChoice(request, out);
        JsonNode text = request.get("text");
        if (text != null && text.isObject()) {
            format(text.get("format"), out);
            Json.copyAs(text, "verbosity", out, "verbosity");
        }
        Json.copyAs(request, "max_output_tokens", out, "max_completion_tokens");
        JsonNode reasoning = request.get("reasoning");
        if (reasoning != null && reasoning.isObject() && Json.has(reasoning, "effort")
                && !Json.has(request, "reasoning_effort")) {
            out.set("reasoning_effort", reasoning.get("effort").deepCopy());
        } else if (reasoning != null && reasoning.isTextual()) {
            out.set("reasoning", reasoning.deepCopy());
        }
        if (request.path("stream").asBoolean(false)) {
            // Responses streams always carry usage, so the chat backend must be asked for it.
            out.putObject("stream_options").put("include_usage", true);
        }
        return out;
    }

    private static void rejectStateful(ObjectNode request) {
        for (String field : List.of("previous_response_id", "conversation", "prompt", "context_management",
                "max_tool_calls")) {
            if (Json.has(request, field)) {
                throw unsupported(field, "it is stateful or has no chat equivalent");
            }
        }
        if (request.path("background").asBoolean(false)) {
            throw unsupported("background", "background responses need the Responses API");
        }
        if (request.path("store").asBoolean(false)) {
            throw unsupported("store", "stored responses cannot be retrieved later; send store: false");
        }
        if ("auto".equals(Json.text(request, "truncation"))) {
            throw unsupported("truncation", "automatic truncation has no chat equivalent");
        }
        JsonNode include = request.get("include");
        if (include != null && include.isArray()) {
            for (JsonNode value : include) {
                if (!IGNORABLE_INCLUDES.contains(value.asText())) {
                    throw unsupported("include", "'" + value.asText() + "' cannot be produced");
                }
            }
        }
    }

    private static TranslationException unsupported(String field, String why) {
        return TranslationException.unsupported(field, "This model is served by the Chat Completions API; " + field
                + " cannot be translated (" + why + "). Remove " + field + ".");
    }

    private static ArrayNode messages(ObjectNode request) {
        ArrayNode messages = Json.array();
        String instructions = Json.text(request, "instructions");
        if (instructions != null && !instructions.isEmpty()) {
            messages.addObject().put("role", "system").put("content", instructions);
        }
        JsonNode instructionItems = request.get("instructions");
        if (instructionItems != null && instructionItems.isArray()) {
            // Instructions given as input items (e.g. from a prompt) keep their roles, ahead of the input.
            items(instructionItems, "instructions", messages);
        }
        JsonNode input = request.get("input");
        if (input == null || input.isNull()) {
            return messages;
        }
        if (input.isTextual()) {
            messages.addObject().put("role", "user").put("content", input.asText());
            return messages;
        }
        items(input, "input", messages);
        return messages;
    }

    private static void items(JsonNode input, String field, ArrayNode messages) {
        ObjectNode lastAssistant = null;
        for (int i = 0; i < input.size(); i++) {
            JsonNode item = input.get(i);
            String param = field + "[" + i + "]";
            if (item.isTextual()) {
                messages.addObject().put("role", "user").put("content", item.asText());
                lastAssistant = null;
                continue;
            }
            String type = Json.text(item, "type");
            if (type == null && item.has("role")) {
                type = "message";
            }
            switch (type == null ? "" : type) {
                case "message" -> {
                    ObjectNode message = message(item, param);
                    messages.add(message);
                    lastAssistant = "assistant".equals(Json.text(message, "role")) ? message : null;
                }
                case "function_call" -> {
                    if (lastAssistant == null) {
                        lastAssistant = messages.addObject();
                        lastAssistant.put("role", "assistant");
                        lastAssistant.putNull("content");
                    }
                    ArrayNode calls = lastAssistant.get("tool_calls") instanceof ArrayNode existing ? existing
                            : lastAssistant.putArray("tool_calls");
                    ObjectNode call = calls.addObject();
                    call.set("id", item.path("call_id").deepCopy());
                    call.put("type", "function");
                    ObjectNode function = call.putObject("function");
                    function.set("name", item.path("name").deepCopy());
                    function.put("arguments", item.path("arguments").asText(""));
                }
                case "function_call_output" -> {
                    ObjectNode tool = messages.addObject();
                    tool.put("role", "tool");
                    tool.set("tool_call_id", item.path("call_id").deepCopy());
                    tool.set("content", toolContent(item.get("output"), param + ".output"));
                    lastAssistant = null;
                }
                case "reasoning" -> {
                    // Model-internal state of an earlier turn: chat backends cannot take it (see class Javadoc).
                }
                default -> throw TranslationException.unsupported(param + ".type", "Input item type '" + type
                        + "' cannot be translated to the Chat Completions API.");
            }
        }
    }

    private static ObjectNode message(JsonNode item, String param) {
        String role = Json.text(item, "role");
        if (role == null) {
            throw TranslationException.unsupported(param + ".role", "Every message item needs a role.");
        }
        ObjectNode message = Json.object();
        message.put("role", role);
        JsonNode content = item.get("content");
        if (content == null || content.isNull() || content.isTextual()) {
            message.set("content", content == null ? Json.NODES.nullNode() : content.deepCopy());
            return message;
        }
        ArrayNode parts = Json.array();
        boolean allText = true;
        StringBuilder refusal = new StringBuilder();
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            if ("refusal".equals(Json.text(part, "type"))) {
                refusal.append(part.path("refusal").asText());
                continue;
            }
            ObjectNode converted = part(part, param + ".content[" + j + "]");
            allText &= "text".equals(Json.text(converted, "type"));
            parts.add(converted);
        }
        if ("assistant".equals(role) && allText) {
            // Assistant history is plain text for chat; joining keeps it valid for every chat backend.
            StringBuilder text = new StringBuilder();
            parts.forEach(part -> text.append(part.path("text").asText()));
            message.put("content", text.toString());
        } else {
            message.set("content", parts);
        }
        if (!refusal.isEmpty()) {
            message.put("refusal", refusal.toString());
        }
        return message;
    }

    private static ObjectNode part(JsonNode part, String param) {
        String type = Json.text(part, "type");
        ObjectNode out = Json.object();
        switch (type == null ? "" : type) {
            case "input_text", "output_text", "text" -> {
                out.put("type", "text");
                out.set("text", part.path("text").deepCopy());
            }
            case "input_image" -> {
                if (!Json.has(part, "image_url")) {
                    throw TranslationException.unsupported(param + ".file_id", "An image given by file_id cannot "
                            + "be translated to the Chat Completions API; send image_url.");
                }
                out.put("type", "image_url");
                ObjectNode image = out.putObject("image_url");
                image.set("url", part.get("image_url").deepCopy());
                Json.copyAs(part, "detail", image, "detail");
            }
            case "input_file" -> {
                out.put("type", "file");
                ObjectNode file = out.putObject("file");
                Json.copyAs(part, "file_id", file, "file_id");
                Json.copyAs(part, "file_data", file, "file_data");
                Json.copyAs(part, "filename", file, "filename");
                if (Json.has(part, "file_url")) {
                    throw TranslationException.unsupported(param + ".file_url", "A file given by URL cannot be "
                            + "translated to the Chat Completions API; send file_data or file_id.");
                }
            }
            default -> throw TranslationException.unsupported(param + ".type", "Content type '" + type
                    + "' cannot be translated to the Chat Completions API.");
        }
        return out;
    }

    private static JsonNode toolContent(JsonNode output, String param) {
        if (output == null || output.isNull()) {
            return Json.NODES.textNode("");
        }
        if (output.isTextual()) {
            return output.deepCopy();
        }
        ArrayNode parts = Json.array();
        for (int j = 0; j < output.size(); j++) {
            ObjectNode converted = part(output.get(j), param + "[" + j + "]");
            if (!"text".equals(Json.text(converted, "type"))) {
                throw TranslationException.unsupported(param + "[" + j + "].type", "A chat tool message only "
                        + "takes text; '" + Json.text(output.get(j), "type") + "' cannot be translated.");
            }
            parts.add(converted);
        }
        return parts;
    }

    private static void tools(ObjectNode request, ObjectNode out) {
        JsonNode tools = request.get("tools");
        if (tools == null || !tools.isArray()) {
            Json.copy(request, out, "tools");
            return;
        }
        ArrayNode converted = out.putArray("tools");
        for (JsonNode tool : tools) {
            String type = Json.text(tool, "type");
            if ("function".equals(type) || "custom".equals(type)) {
                ObjectNode chatTool = converted.addObject();
                chatTool.put("type", type);
                ObjectNode inner = chatTool.putObject(type);
                tool.properties().forEach(e -> {
                    if (!"type".equals(e.getKey())) {
                        inner.set(e.getKey(), e.getValue().deepCopy());
                    }
                });
            } else {
                throw TranslationException.unsupported("tools", "This model is served by the Chat Completions API, "
                        + "which cannot run the '" + type + "' tool; remove it from tools.");
            }
        }
    }

    private static void toolChoice(ObjectNode request, ObjectNode out) {
        JsonNode choice = request.get("tool_choice");
        if (choice == null || !choice.isObject()) {
            Json.copy(request, out, "tool_choice");
            return;
        }
        String type = Json.text(choice, "type");
        ObjectNode converted = Json.object();
        switch (type == null ? "" : type) {
            case "function", "custom" -> converted.put("type", type).putObject(type).set("name",
                    choice.path("name").deepCopy());
            case "allowed_tools" -> {
                converted.put("type", "allowed_tools");
                ObjectNode allowed = converted.putObject("allowed_tools");
                Json.copy(choice, allowed, "mode");
                ArrayNode list = allowed.putArray("tools");
                for (JsonNode tool : choice.path("tools")) {
                    String toolType = Json.text(tool, "type");
                    if (!"function".equals(toolType) && !"custom".equals(toolType)) {
                        throw TranslationException.unsupported("tool_choice", "The '" + toolType + "' tool cannot "
                                + "be chosen on the Chat Completions API.");
                    }
                    list.addObject().put("type", toolType).putObject(toolType).set("name",
                            tool.path("name").deepCopy());
                }
            }
            default -> throw TranslationException.unsupported("tool_choice", "This model is served by the Chat "
                    + "Completions API, which cannot run the '" + type + "' tool; remove it from tool_choice.");
        }
        out.set("tool_choice", converted);
    }

    private static void format(JsonNode format, ObjectNode out) {
        if (format == null || format.isNull()) {
            return;
        }
        if ("json_schema".equals(Json.text(format, "type"))) {
            ObjectNode chat = out.putObject("response_format");
            chat.put("type", "json_schema");
            ObjectNode schema = chat.putObject("json_schema");
            format.properties().forEach(e -> {
                if (!"type".equals(e.getKey())) {
                    schema.set(e.getKey(), e.getValue().deepCopy());
                }
            });
        } else {
            out.set("response_format", format.deepCopy());
        }
    }

    /**
     * Translates a non-streaming chat completion into a Response object.
     *
     * @param completion    the upstream chat completion
     * @param clientRequest the client's responses request (echoed fields such as {@code instructions},
     *                      {@code tools})
     * @return the Response for the client
     */
    public ObjectNode translateResponse(JsonNode completion, JsonNode clientRequest) {
        ResponseBuilder builder = new ResponseBuilder(ids, clientRequest, ids.next("resp"),
                completion.path("created").asLong(clock.instant().getEpochSecond()),
                completion.path("model").asText(clientRequest.path("model").asText("")));
        JsonNode choice = completion.path("choices").path(0);
        JsonNode message = choice.path("message");
        String content = Json.text(message, "content");
        String refusal = Json.text(message, "refusal");
        if ((content != null && !content.isEmpty()) || refusal != null) {
            builder.addMessage(content, refusal);
        }
        for (JsonNode call : message.path("tool_calls")) {
            builder.addFunctionCall(call.path("id").asText(), call.path("function").path("name").asText(),
                    call.path("function").path("arguments").asText(""));
        }
        JsonNode usage = completion.get("usage");
        return builder.build(Json.text(choice, "finish_reason"),
                usage != null && usage.isObject() ? UsageMapper.toResponses(UsageMapper.read(usage), usage) : null);
    }

    /**
     * A stream translator for one request: chat chunks in, responses events out.
     *
     * @param clientRequest the client's responses request (echoed in the Response objects)
     * @return a new translator
     */
    public StreamTranslator newStreamTranslator(JsonNode clientRequest) {
        return new ChatChunksToResponsesEvents(mapper, ids, clientRequest, clock.instant().getEpochSecond());
    }
}
