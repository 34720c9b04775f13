package com.aoaigw.proxy.admin;

import java.io.IOException;
import java.time.Instant;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;

/**
 * The Jackson mapper of the admin API: instants as ISO-8601 strings (without pulling in the JSR-310 module),
 * unknown properties tolerated in inbound admin bodies (the config document itself is parsed strictly by
 * {@link com.aoaigw.config.ConfigLoader}).
 */
final class AdminJson {
    private AdminJson() {
    }

    static ObjectMapper mapper() {
        SimpleModule time = new SimpleModule("instants");
        time.addSerializer(Instant.class, new JsonSerializer<>() {
            @Override
            public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                gen.writeString(value.toString());
            }
        });
        time.addDeserializer(Instant.class, new JsonDeserializer<>() {
            @Override
            public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                String text = p.getValueAsString();
                if (text == null || text.isBlank()) {
                    return null;
                }
                try {
                    return Instant.parse(text.trim());
                } catch (java.time.format.DateTimeParseException e) {
                    throw ctxt.weirdStringException(text, Instant.class, "expected an ISO-8601 instant");
                }
            }
        });
        return new ObjectMapper()
                .registerModule(time)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }
}
