package com.aoaigw.proxy.limit;

import java.util.HashSet;
import java.util.Set;

import com.aoaigw.proxy.route.ModelFamily;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CountCacheTest {
    @Test
    void aCountIsFoundUnderItsHashOnlyAndANewerTextInTheSameSlotEvictsIt() {
        CountCache c = new CountCache(4);
        long a = CountCache.hash("the system prompt of every request", 1);
        assertEquals(-1, c.get(a));
        c.put(a, 0);
        assertEquals(0, c.get(a), "a count of zero is a count");
        c.put(a, 17);
        assertEquals(17, c.get(a));
        // another hash in the same slot (same low bits, other tag) replaces it
        long b = (a & 3) | (a ^ 0xFFFF_0000_0000_0000L) & ~3L;
        assertEquals(-1, c.get(b));
        c.put(b, 5);
        assertEquals(5, c.get(b));
        assertEquals(-1, c.get(a));
        // counts that do not fit are not kept
        long d = CountCache.hash("a very long document", 1);
        c.put(d, 1 << 24);
        assertEquals(-1, c.get(d));
        assertThrows(IllegalArgumentException.class, () -> new CountCache(6));
    }

    @Test
    void theHashDependsOnEveryCharacterTheLengthAndTheSeed() {
        Set<Long> seen = new HashSet<>();
        String base = "You are a helpful assistant.";
        for (int i = 0; i < base.length(); i++) {
            char[] cs = base.toCharArray();
            cs[i]++;
            seen.add(CountCache.hash(new String(cs), 1));
        }
        seen.add(CountCache.hash(base, 1));
        seen.add(CountCache.hash(base, 2));
        seen.add(CountCache.hash(base + "\0", 1));
        assertEquals(base.length() + 3, seen.size());
        assertNotEquals(CountCache.hash("ab", 0), CountCache.hash("ba", 0));
    }

    @Test
    void theEstimatorAnswersFromTheCacheWhatTheTokenizerWouldCountPerEncoding() throws Exception {
        PromptEstimator e = new PromptEstimator();
        ObjectMapper json = new ObjectMapper();
        String hindi = "नमस्ते दुनिया, आप कैसे हैं? आज मौसम बहुत अच्छा है।";
        byte[] body = json.writeValueAsBytes(java.util.Map.of("messages",
                java.util.List.of(java.util.Map.of("role", "user", "content", hindi))));
        long cl100k = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE)
                .countTokensOrdinary(hindi) + 3 + 3;
        long o200k = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE)
                .countTokensOrdinary(hindi) + 3 + 3;
        assertNotEquals(cl100k, o200k);
        for (int i = 0; i < 3; i++) {
            // the second and third round come from the cache: still each encoding's own count
            assertEquals(cl100k, e.estimate(json.getFactory(), body, ModelFamily.GPT_4));
            assertEquals(o200k, e.estimate(json.getFactory(), body, ModelFamily.GPT_5));
        }
    }
}
