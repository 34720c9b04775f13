package com.aoaigw.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ToolArgumentsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static ObjectNode args(String schema) throws Exception {
        return ToolArguments.of(MAPPER.readTree(schema), "Oslo");
    }

    @Test
    void aToolWithoutASchemaGetsTheClassicLocation() {
        assertEquals("{\"location\":\"Oslo\"}", ToolArguments.of(null, "Oslo").toString());
        assertEquals("{\"location\":\"Oslo\"}", ToolArguments.of(MAPPER.createObjectNode(), "Oslo").toString());
    }

    @Test
    void aPlacePropertyGetsThePlaceTheUserNamed() throws Exception {
        ObjectNode a = args("""
                {"type":"object","properties":{"city":{"type":"string"}},"required":["city"],
                 "additionalProperties":false}""");
        assertEquals("{\"city\":\"Oslo\"}", a.toString());
    }

    @Test
    void typesEnumsAndBoundsAreHonoured() throws Exception {
        ObjectNode a = args("""
                {"type":"object","properties":{
                   "unit":{"type":"string","enum":["celsius","fahrenheit"]},
                   "days":{"type":"integer","minimum":3,"maximum":10},
                   "ratio":{"type":"number","exclusiveMinimum":0,"maximum":0.5},
                   "verbose":{"type":"boolean"},
                   "note":{"type":["string","null"],"minLength":10},
                   "when":{"type":"string","format":"date"},
                   "kind":{"const":"fixed"}},
                 "required":["unit","days"]}""");
        assertEquals("celsius", a.get("unit").asText());
        assertEquals(3, a.get("days").asInt());
        assertTrue(a.get("days").isIntegralNumber());
        double ratio = a.get("ratio").asDouble();
        assertTrue(ratio > 0 && ratio <= 0.5, "ratio " + ratio);
        assertTrue(a.get("verbose").asBoolean());
        assertTrue(a.get("note").asText().length() >= 10);
        assertTrue(a.get("when").asText().matches("\\d{4}-\\d{2}-\\d{2}"));
        assertEquals("fixed", a.get("kind").asText());
    }

    @Test
    void nestedObjectsArraysRefsAndUnionsAreFilled() throws Exception {
        ObjectNode a = args("""
                {"type":"object","$defs":{"Point":{"type":"object","properties":{"x":{"type":"number"},
                   "y":{"type":"number"}},"required":["x","y"]}},
                 "properties":{
                   "origin":{"$ref":"#/$defs/Point"},
                   "stops":{"type":"array","minItems":2,"items":{"type":"object","properties":{
                       "town":{"type":"string"},"order":{"type":"integer"}},"required":["town","order"]}},
                   "tags":{"type":"array","items":{"type":"string","enum":["a","b"]}},
                   "target":{"anyOf":[{"type":"null"},{"type":"object","properties":{"id":{"type":"string"}},
                       "required":["id"]}]}},
                 "required":["origin","stops","tags","target"]}""");
        JsonNode origin = a.get("origin");
        assertTrue(origin.get("x").isNumber() && origin.get("y").isNumber(), origin.toString());
        assertEquals(2, a.get("stops").size());
        assertEquals("Oslo", a.at("/stops/0/town").asText());
        assertTrue(a.at("/stops/1/order").isIntegralNumber());
        assertEquals("a", a.at("/tags/0").asText());
        assertTrue(a.at("/target/id").isTextual(), a.toString());
    }

    @Test
    void theSimulatorCallsTheNamedToolWithSchemaArguments() throws Exception {
        String body = """
                {"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object",
                   "properties":{"city":{"type":"string"}},"required":["city"]}}},
                  {"type":"function","function":{"name":"convert_units","parameters":{"type":"object",
                   "properties":{"value":{"type":"number"},"from":{"type":"string","enum":["km","mi"]},
                   "to":{"type":"string","enum":["mi","km"]}},"required":["value","from","to"]}}}],
                 "messages":[{"role":"user","content":"Please use convert_units on 5 km"}]}""";
        Completion c = CompletionPlanner.plan(PromptParser.fromChat(MAPPER.readTree(body), "d"), false, null, false);
        assertEquals("convert_units", c.toolCall().name());
        JsonNode a = MAPPER.readTree(c.toolCall().arguments());
        assertEquals("km", a.get("from").asText());
        assertEquals("mi", a.get("to").asText());
        assertTrue(a.get("value").isNumber());

        String responses = """
                {"tools":[{"type":"function","name":"get_weather","parameters":{"type":"object",
                   "properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false},
                   "strict":true}],
                 "input":"What is the weather in Lima?"}""";
        Completion r = CompletionPlanner.plan(PromptParser.fromResponses(MAPPER.readTree(responses), "d"), false,
                null, false);
        assertEquals("{\"city\":\"Lima\"}", r.toolCall().arguments());
    }
}
