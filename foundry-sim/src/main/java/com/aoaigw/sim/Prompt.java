package com.aoaigw.sim;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the simulator needs from a chat or responses request to plan its answer.
 *
 * @param deployment   the deployment name
 * @param promptTokens the prompt size in simulated tokens
 * @param lastUserText the text of the last user message ("" when there is none)
 * @param toolOutput   the output of a tool when the last input is a tool result, else null
 * @param toolNames    the names of the function tools offered
 * @param forcedTool   the function the request forces ({@code tool_choice}), "" for "any" ({@code required}),
 *                     null when nothing is forced
 * @param toolsOff     true when {@code tool_choice} is {@code none}
 * @param maxTokens    the output limit asked for, or null
 * @param toolSchemas  the {@code parameters} schema of each function tool offered, by name (absent when it has none)
 */
record Prompt(String deployment, int promptTokens, String lastUserText, String toolOutput, List<String> toolNames,
              String forcedTool, boolean toolsOff, Integer maxTokens, Map<String, JsonNode> toolSchemas) {
    /** Copies the schema map. */
    Prompt {
        toolSchemas = Map.copyOf(toolSchemas);
    }
}
