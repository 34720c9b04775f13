package com.aoaigw.proxy.limit;

import java.util.concurrent.atomic.AtomicLong;

import com.aoaigw.config.ClientKey;
import com.aoaigw.config.KeyLimits;
import com.aoaigw.config.ModelLimits;
import com.aoaigw.config.ModelRoute;
import com.aoaigw.config.Pricing;
import com.aoaigw.config.Secret;
import com.aoaigw.proxy.route.ModelFamily;
import com.aoaigw.proxy.state.LocalSharedState;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every window, quota and budget of the limiter on a fake clock. */
@Timeout(30)
class LimiterTest {
    /** 2026-12-31T23:59:00Z: one minute before a new UTC day, month and year. */
    private static final long T0 = 1_798_761_540_000L;
    private final AtomicLong clock = new AtomicLong(T0);
    private final Limiter limiter = new Limiter(new LocalSharedState(), clock::get);
    private static final ModelRoute MODEL = new ModelRoute("m", "u", "d", null, null, null, null, null, null, null,
            new Pricing(2.0, 0.5, 8.0, null));

    private static ClientKey key(KeyLimits l) {
        return new ClientKey("team", Secret.of("k"), null, null, l, null, null, null);
    }

    private Refusal refused(ClientKey k, ModelRoute m, long estimate) {
        return assertThrows(LimitExceededException.class,
                () -> limiter.admit(k.id(), k.limits(), m, estimate, "r", 60_000, "USD")).refusal();
    }

    @Test
    void rpmRefusesTheRequestAfterTheLimitWithOpenAiShapeAndHeaders() {
        ClientKey k = key(new KeyLimits(3, null, null, null, null, null));
        for (int i = 0; i < 3; i++) {
            Limiter.Ticket t = limiter.admit(k.id(), k.limits(), MODEL, 0, "r" + i, 60_000, "USD");
            assertEquals(3 - i - 1, t.headers().requestRemaining());
            clock.addAndGet(1000);
        }
        Refusal r = refused(k, MODEL, 0);
        assertEquals(429, r.status());
        assertEquals("requests", r.type());
        assertEquals("rate_limit_exceeded", r.code());
        assertEquals("rpm", r.limit());
        // the first request's bucket (second 0) leaves the window when the clock passes second 60
        assertEquals(61_000 - 3000, r.retryMs());
        assertEquals("Rate limit reached for key `team` on requests per min (RPM): Limit 3, Used 3, Requested 1. "
                + "Please try again in 58s.", r.message());
        assertEquals("3", r.headers().asMap().get("x-ratelimit-limit-requests"));
        assertEquals("0", r.headers().asMap().get("x-ratelimit-remaining-requests"));
        assertNull(r.headers().asMap().get("x-ratelimit-limit-tokens"));
        clock.addAndGet(58_000);
        limiter.admit(k.id(), k.limits(), MODEL, 0, "r9", 60_000, "USD");
    }

    @Test
    void tpmCountsActualTokensAndTheEstimateOfTheNextPrompt() {
        ClientKey k = key(new KeyLimits(null, 1000, null, null, null, null));
        Limiter.Ticket t = limiter.admit(k.id(), k.limits(), MODEL, 100, "r1", 60_000, "USD");
        assertEquals(900, t.headers().tokenRemaining());
        assertEquals("1m1s", t.headers().asMap().get("x-ratelimit-reset-tokens"));
        limiter.charge(t, 100, 0, 800, MODEL.pricing());
        // 900 in the window: a 100-token prompt fits exactly, a 101-token one does not
        Refusal r = refused(k, MODEL, 101);
        assertEquals("tokens", r.type());
        assertTrue(r.message().startsWith("Rate limit reached for key `team` on tokens per min (TPM): Limit 1000, "
                + "Used 900, Requested 101."), r.message());
        limiter.admit(k.id(), k.limits(), MODEL, 100, "r2", 60_000, "USD");
        assertEquals(1000, limiter.usage(k, "USD").tokensPerMin().used());
    }

    @Test
    void concurrencyCountsUntilTheChargeFreesTheSlot() {
        ClientKey k = key(new KeyLimits(null, null, 1, null, null, null));
        Limiter.Ticket t = limiter.admit(k.id(), k.limits(), MODEL, 0, "r1", 60_000, "USD");
        Refusal r = refused(k, MODEL, 0);
        assertEquals("maxConcurrent", r.limit());
        assertEquals(1, limiter.usage(k, "USD").concurrent().used());
        limiter.charge(t, 10, 0, 10, null);
        limiter.admit(k.id(), k.limits(), MODEL, 0, "r2", 60_000, "USD");
    }

    @Test
    void dailyAndMonthlyQuotasResetAtUtcMidnightAndMonthEnd() {
        ClientKey k = key(new KeyLimits(null, null, null, 1000L, 1500L, null));
        Limiter.Ticket t = limiter.admit(k.id(), k.limits(), MODEL, 50, "r1", 60_000, "USD");
        limiter.charge(t, 50, 0, 950, null);
        Refusal r = refused(k, MODEL, 1);
        assertEquals(429, r.status());
        assertEquals("insufficient_quota", r.code());
        assertEquals("insufficient_quota", r.type());
        assertEquals("tokensPerDay", r.limit());
        assertEquals("You exceeded the daily token quota of key `team`: Limit 1000, Used 1000, Requested 1. It resets "
                + "at 2027-01-01T00:00:00Z (UTC).", r.message());
        assertEquals(60_000, r.retryMs());
        // a new day and a new month: both counters start again
        clock.set(T0 + 60_000);
        KeyUsage u = limiter.usage(k, "USD");
        assertEquals(0, u.tokensToday().used());
        assertEquals(0, u.tokensMonth().used());
        Limiter.Ticket t2 = limiter.admit(k.id(), k.limits(), MODEL, 10, "r2", 60_000, "USD");
        limiter.charge(t2, 10, 0, 990, null);
        clock.set(T0 + 60_000 + 86_400_000L);
        // next day: the daily quota is fresh, the month holds 1000 of 1500
        Limiter.Ticket t3 = limiter.admit(k.id(), k.limits(), MODEL, 400, "r3", 60_000, "USD");
        limiter.charge(t3, 400, 0, 100, null);
        Refusal month = refused(k, MODEL, 1);
        assertEquals("tokensPerMonth", month.limit());
        assertTrue(month.message().contains("It resets at 2027-02-01T00:00:00Z"), month.message());
    }

    @Test
    void theBudgetCountsCostWithCachedInputAtItsOwnPrice() {
        ClientKey k = key(new KeyLimits(null, null, null, null, null, 10.0));
        Limiter.Ticket t = limiter.admit(k.id(), k.limits(), MODEL, 0, "r1", 60_000, "USD");
        // 1M prompt (400k cached) at 2 and 0.5, 1M completion at 8: 1.2 + 0.2 + 8 = 9.4
        limiter.charge(t, 1_000_000, 400_000, 1_000_000, MODEL.pricing());
        KeyUsage u = limiter.usage(k, "USD");
        assertEquals(9.4, u.costMonth(), 1e-9);
        assertEquals(9.4, u.costToday(), 1e-9);
        assertEquals(0.6, u.budgetRemaining(), 1e-9);
        Limiter.Ticket t2 = limiter.admit(k.id(), k.limits(), MODEL, 0, "r2", 60_000, "USD");
        limiter.charge(t2, 0, 0, 100_000, MODEL.pricing());
        Refusal r = refused(k, MODEL, 0);
        assertEquals("budgetPerMonth", r.limit());
        assertEquals("insufficient_quota", r.code());
        assertEquals("You exceeded the monthly budget of key `team`: 10.20 of 10.00 USD spent. It resets at "
                + "2027-01-01T00:00:00Z (UTC).", r.message());
    }

    @Test
    void modelLimitsCountAcrossKeys() {
        ModelRoute m = new ModelRoute("m", "u", "d", null, null, null, null, null, null, new ModelLimits(2, null, null), null);
        ClientKey a = new ClientKey("a", Secret.of("ka"), null, null);
        ClientKey b = new ClientKey("b", Secret.of("kb"), null, null);
        assertTrue(Limiter.limited(a.limits(), m));
        limiter.admit(a.id(), a.limits(), m, 0, "r1", 60_000, "USD");
        limiter.admit(b.id(), b.limits(), m, 0, "r2", 60_000, "USD");
        Refusal r = refused(a, m, 0);
        assertEquals("model_rpm", r.limit());
        assertTrue(r.message().startsWith("Rate limit reached for model `m` on requests per min (RPM): Limit 2"));
        // a key without its own limits gets no x-ratelimit headers
        assertTrue(r.headers().asMap().isEmpty());
    }

    @Test
    void unlimitedKeysAreCountedForTheAdminPage() {
        ClientKey k = new ClientKey("free", Secret.of("kf"), null, null);
        Limiter.Ticket t = limiter.admit(k.id(), k.limits(), MODEL, 0, "r1", 60_000, "USD");
        assertTrue(t.checks().isEmpty());
        limiter.charge(t, 500, 0, 500, MODEL.pricing());
        KeyUsage u = limiter.usage(k, "USD");
        assertEquals(1000, u.tokensToday().used());
        assertNull(u.tokensToday().limit());
        assertEquals(0.005, u.costToday(), 1e-9);
    }

    @Test
    void durationsUseOpenAisFormat() {
        assertEquals("0s", RateHeaders.duration(0));
        assertEquals("20ms", RateHeaders.duration(20));
        assertEquals("1.5s", RateHeaders.duration(1500));
        assertEquals("6m0s", RateHeaders.duration(360_000));
        assertEquals("1m1.25s", RateHeaders.duration(61_250));
        assertEquals("59.999s", RateHeaders.duration(59_999));
        assertEquals("1.005s", RateHeaders.duration(1005));
        assertEquals("1.05s", RateHeaders.duration(1050));
        assertEquals("1m0.001s", RateHeaders.duration(60_001));
        assertEquals("2m5s", RateHeaders.duration(125_000));
        assertEquals("999ms", RateHeaders.duration(999));
    }

    @Test
    void theEstimateCountsMessageTextWithTheFamilysEncoding() throws Exception {
        PromptEstimator e = new PromptEstimator();
        ObjectMapper json = new ObjectMapper();
        // "Hello world" is 2 tokens in both encodings; 3 framing tokens per message and 3 for the reply
        assertEquals(2 + 3 + 3, estimate(e, json, ("""
                {"messages":[{"role":"user","content":"Hello world"}],"max_tokens":4000}"""), ModelFamily.GPT_4O));
        assertEquals(2 + 2 + 3 + 3 + 3, estimate(e, json, ("""
                {"messages":[{"role":"system","content":"Hello world"},
                 {"role":"user","content":[{"type":"text","text":"Hello world"},{"type":"image_url","image_url":{"url":"x"}}]}]}"""),
                ModelFamily.GPT_5));
        assertEquals(2 + 2 + 3, estimate(e, json, ("""
                {"instructions":"Hello world","input":[{"role":"user","content":[{"type":"input_text","text":"Hello world"}]}]}"""),
                ModelFamily.GPT_5));
        assertEquals(2, estimate(e, json, ("{\"input\":\"Hello world\"}"), ModelFamily.EMBEDDING));
        // a message's name counts one more token plus its own; other members and values are skipped, whatever their
        // shape (tools, response_format, nested arrays) and wherever they are
        assertEquals(3 + 2 + 1 + 2 + 3, estimate(e, json, ("""
                {"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{}}}}],
                 "messages":[{"role":"user","name":"Hello world","tool_calls":[[1,2],{"a":{}}],"content":"Hello world"}],
                 "response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{}}}}"""), ModelFamily.GPT_5));
        // Responses items: a string, a message, a tool output (its output counts when it has no content); token
        // arrays of embeddings count nothing
        assertEquals(2 + (3 + 2) + (3 + 2), estimate(e, json, ("""
                {"input":["Hello world",{"role":"user","content":"Hello world"},
                 {"type":"function_call_output","call_id":"c","output":"Hello world"}],"prompt":{"id":"p"}}"""),
                ModelFamily.GPT_5));
        assertEquals(0, estimate(e, json, ("{\"input\":[[1,2,3],[4]]}"), ModelFamily.EMBEDDING));
        assertEquals(0, estimate(e, json, ("[1,2]"), ModelFamily.GPT_5));
        assertThrows(java.io.IOException.class, () -> estimate(e, json, ("{\"messages\":[{\"content\":"), ModelFamily.GPT_5));
        // the two encodings differ on other text: the family picks the encoding
        // the family picks the encoding: o200k_base needs far fewer tokens for Hindi than cl100k_base
        String text = "नमस्ते दुनिया, आप कैसे हैं? आज मौसम बहुत अच्छा है।";
        assertTrue(e.count(text, ModelFamily.GPT_4) > e.count(text, ModelFamily.GPT_5) + 5,
                e.count(text, ModelFamily.GPT_4) + " vs " + e.count(text, ModelFamily.GPT_5));
    }

    private static long estimate(PromptEstimator e, ObjectMapper json, String body, ModelFamily family)
            throws java.io.IOException {
        return e.estimate(json.getFactory(), body.getBytes(java.nio.charset.StandardCharsets.UTF_8), family);
    }
}
