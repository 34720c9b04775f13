package com.aoaigw.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Decides, deterministically from the request, what the simulated model answers: the same prompt always gives the
 * same content, tool call and token counts, whether streamed or not.
 */
final class CompletionPlanner {
    /** Reasoning tokens a reasoning deployment reports for every answer. */
    static final int REASONING_TOKENS = 8;
    /** Multi-byte text put at the start of the content for the split-utf8 fault. */
    static final List<String> MULTIBYTE_DELTAS = List.of("你好世界", " 😀");
    private static final String[] FILLER = {" lorem", " ipsum", " dolor", " sit", " amet", " consectetur",
        " adipiscing", " elit"};
    private static final int ARGUMENT_PIECE = 6;

    private CompletionPlanner() {
    }

    /**
     * Plans an answer.
     *
     * @param prompt      the parsed request
     * @param reasoning   whether the deployment is a reasoning model
     * @param tokens      the number of content deltas asked for with {@code x-sim-tokens}, or null for the natural
     *                    answer length
     * @param multibyte   true to start the content with multi-byte characters (split-utf8 fault)
     * @return the answer
     */
    static Completion plan(Prompt prompt, boolean reasoning, Integer tokens, boolean multibyte) {
        int reasoningTokens = reasoning ? REASONING_TOKENS : 0;
        String summary = reasoning ? "Thinking about how to answer as " + prompt.deployment() + "." : null;
        String tool = chooseTool(prompt);
        if (tool != null) {
            String args = ToolArguments.of(prompt.toolSchemas().get(tool), location(prompt.lastUserText())).toString();
            List<String> pieces = new ArrayList<>();
            for (int i = 0; i < args.length(); i += ARGUMENT_PIECE) {
                pieces.add(args.substring(i, Math.min(args.length(), i + ARGUMENT_PIECE)));
            }
            String id = "call_" + digest(prompt.deployment() + "\n" + prompt.lastUserText() + "\n" + tool, 12);
            return new Completion(prompt.deployment(), List.of(), new Completion.ToolCall(id, tool, pieces), false,
                    prompt.promptTokens(), reasoningTokens, summary);
        }
        List<String> natural = new ArrayList<>();
        if (multibyte) {
            natural.addAll(MULTIBYTE_DELTAS);
            natural.add(" ");
        }
        String sentence = prompt.toolOutput() != null
                ? "The tool returned: " + prompt.toolOutput()
                : "Hello from " + prompt.deployment() + ": you said " + words(prompt.lastUserText()).size()
                        + " words.";
        List<String> w = words(sentence);
        for (int i = 0; i < w.size(); i++) {
            natural.add(i == 0 ? w.get(i) : " " + w.get(i));
        }
        List<String> deltas = natural;
        if (tokens != null && tokens >= 0) {
            deltas = new ArrayList<>(tokens);
            for (int i = 0; i < tokens; i++) {
                deltas.add(i < natural.size() ? natural.get(i) : FILLER[(i - natural.size()) % FILLER.length]);
            }
        }
        boolean truncated = false;
        if (prompt.maxTokens() != null && prompt.maxTokens() >= 0 && deltas.size() > prompt.maxTokens()) {
            deltas = deltas.subList(0, prompt.maxTokens());
            truncated = true;
        }
        return new Completion(prompt.deployment(), List.copyOf(deltas), null, truncated, prompt.promptTokens(),
                reasoningTokens, summary);
    }

    private static String chooseTool(Prompt prompt) {
        if (prompt.toolsOff() || prompt.toolNames().isEmpty() || prompt.toolOutput() != null) {
            return null;
        }
        String text = prompt.lastUserText().toLowerCase(Locale.ROOT);
        if (prompt.forcedTool() != null) {
            if (!prompt.forcedTool().isEmpty()) {
                return prompt.forcedTool();
            }
        } else {
            // a tool the user names is the one called (e.g. "use convert_units to ...")
            for (String name : prompt.toolNames()) {
                if (text.contains(name.toLowerCase(Locale.ROOT))) {
                    return name;
                }
            }
        }
        if (prompt.forcedTool() == null && !text.contains("weather")) {
            return null;
        }
        for (String name : prompt.toolNames()) {
            if (name.toLowerCase(Locale.ROOT).contains("weather")) {
                return name;
            }
        }
        return prompt.toolNames().getFirst();
    }

    /** The word after "in" in the user's text (e.g. "weather in Paris?" gives Paris), else "Paris". */
    static String location(String text) {
        List<String> w = words(text);
        for (int i = 0; i + 1 < w.size(); i++) {
            if (w.get(i).equalsIgnoreCase("in")) {
                StringBuilder sb = new StringBuilder();
                for (char c : w.get(i + 1).toCharArray()) {
                    if (Character.isLetterOrDigit(c) || c == '-') {
                        sb.append(c);
                    }
                }
                if (!sb.isEmpty()) {
                    return sb.toString();
                }
            }
        }
        return "Paris";
    }

    /** Splits on whitespace without a regular expression (this runs on every request). */
    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < text.length(); i++) {
            boolean space = Character.isWhitespace(text.charAt(i));
            if (space && start >= 0) {
                out.add(text.substring(start, i));
                start = -1;
            } else if (!space && start < 0) {
                start = i;
            }
        }
        if (start >= 0) {
            out.add(text.substring(start));
        }
        return out;
    }

    /** Counts whitespace-separated words. */
    static int countWords(String text) {
        int n = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            boolean space = Character.isWhitespace(text.charAt(i));
            if (!space && !inWord) {
                n++;
            }
            inWord = !space;
        }
        return n;
    }

    static String digest(String text, int bytes) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
