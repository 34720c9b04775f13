package com.aoaigw.proxy.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.aoaigw.proxy.error.ProxyException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;

class RequestBodyTest {
    private final JsonFactory json = new JsonFactory();

    private RequestBody scan(String s) {
        return RequestBody.scan(s.getBytes(StandardCharsets.UTF_8), json);
    }

    @Test
    void findsModelStreamAndUsage() {
        RequestBody b = scan("{\"messages\":[{\"model\":\"inner\"}],\"model\":\"gpt\",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}");
        assertEquals("gpt", b.model());
        assertTrue(b.stream());
        assertTrue(b.streamOptions());
        assertTrue(b.includeUsage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"model\":\"a\",\"x\":1}|false|{\"model\":\"dep-ü\",\"x\":1}",
            "{ \"x\" : 1 , \"model\" : \"a\" }|false|{ \"x\" : 1 , \"model\" : \"dep-ü\" }",
            "{\"x\":\"\\\"model\\\"\"}|false|{\"model\":\"dep-ü\",\"x\":\"\\\"model\\\"\"}",
            "{}|false|{\"model\":\"dep-ü\"}",
            "{\"model\":\"a\",\"stream\":true}|true|{\"stream_options\":{\"include_usage\":true},\"model\":\"dep-ü\",\"stream\":true}",
            "{\"model\":\"a\\u0041\"}|false|{\"model\":\"dep-ü\"}"})
    void splicesModelByteExact(String in, boolean usage, String expected) throws Exception {
        byte[] out = scan(in).withModel("dep-ü", usage);
        assertEquals(expected, new String(out, StandardCharsets.UTF_8));
        new ObjectMapper().readTree(out);
    }

    @Test
    void quotesSpecialCharactersInDeployment() throws Exception {
        byte[] out = scan("{\"model\":\"a\"}").withModel("we\"ird", false);
        assertEquals("we\"ird", new ObjectMapper().readTree(out).get("model").asText());
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"{\"model\":", "[1]", "\"s\"", "{\"a\":1} x", "", "{\"a\":1,}"})
    void malformedIsInvalidJson(String in) {
        ProxyException e = assertThrows(ProxyException.class, () -> scan(in));
        assertEquals(400, e.status());
        assertEquals("invalid_json", e.code());
    }

    @Test
    void nonStringModelIsAbsent() {
        RequestBody b = scan("{\"model\":5,\"stream\":\"true\"}");
        assertEquals(null, b.model());
        assertFalse(b.stream());
    }
}
