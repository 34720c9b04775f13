package com.aoaigw.proxy.translate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The one reader and writer of the chat and responses usage shapes. */
@Timeout(5)
class UsageMapperTest {
    private static final String CHAT = "{\"prompt_tokens\":9,\"completion_tokens\":5,\"total_tokens\":14,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":4},\"completion_tokens_details\":{\"reasoning_tokens\":3}}";
    private static final String RESPONSES = "{\"input_tokens\":9,\"output_tokens\":5,\"total_tokens\":14,"
            + "\"input_tokens_details\":{\"cached_tokens\":4},\"output_tokens_details\":{\"reasoning_tokens\":3}}";
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void bothShapesReadToTheSameUsage() throws Exception {
        Usage expected = new Usage(9, 5, 4, 3);
        assertEquals(expected, UsageMapper.read(mapper.readTree(CHAT)));
        assertEquals(expected, UsageMapper.read(mapper.readTree(RESPONSES)));
        try (JsonParser p = mapper.getFactory().createParser(RESPONSES)) {
            p.nextToken();
            assertEquals(expected, UsageMapper.read(p), "the token reader agrees with the tree reader");
        }
        // a chat name wins over its responses twin
        assertEquals(new Usage(2, 0, 0, 0), UsageMapper.read(mapper.readTree("{\"prompt_tokens\":2,\"input_tokens\":7}")));
    }

    @Test
    void writingEachShapeRoundTrips() throws Exception {
        Usage usage = UsageMapper.read(mapper.readTree(CHAT));
        JsonNode chat = UsageMapper.toChat(usage, mapper.readTree(CHAT));
        JsonNode responses = UsageMapper.toResponses(usage, mapper.readTree(CHAT));
        assertEquals(mapper.readTree(CHAT).toString(), chat.toString());
        assertEquals(14, responses.path("total_tokens").asLong());
        assertEquals(0, responses.path("input_tokens_details").path("cache_write_tokens").asLong());
        assertEquals(usage, UsageMapper.read(responses));
        assertEquals(usage, UsageMapper.read(chat));
    }
}
