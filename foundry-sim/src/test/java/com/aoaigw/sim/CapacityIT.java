package com.aoaigw.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A deployment with a capacity answers like a full Azure deployment: 429 with retry-after, quota and PTU headers. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CapacityIT extends RunningSim {
    private static final String CHAT = "/openai/v1/chat/completions";

    @Override
    protected SimSettings settings() {
        return SimSettings.builder()
                .deployment("ptu", DeploymentSettings.defaults().withCapacity(new Capacity(2, 0, true)))
                .deployment("payg", DeploymentSettings.defaults())
                .build();
    }

    private HttpResponse<String> chat(String deployment) throws Exception {
        return http.post(CHAT, "{\"model\":\"" + deployment + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "api-key", SimHttp.KEY);
    }

    @Test
    void aFullDeploymentAnswers429WithRetryAfterAndUtilisation() throws Exception {
        HttpResponse<String> first = chat("ptu");
        assertEquals(200, first.statusCode());
        assertEquals("50.0%", first.headers().firstValue("azure-openai-deployment-utilization").orElseThrow());
        assertEquals("1", first.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
        assertEquals("2", first.headers().firstValue("x-ratelimit-limit-requests").orElseThrow());
        assertEquals(200, chat("ptu").statusCode());
        HttpResponse<String> full = chat("ptu");
        assertEquals(429, full.statusCode());
        long ms = Long.parseLong(full.headers().firstValue("retry-after-ms").orElseThrow());
        assertTrue(ms > 50_000 && ms <= 60_000, "until the first request leaves the minute: " + ms);
        assertEquals("0", full.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
        assertEquals("100.0%", full.headers().firstValue("azure-openai-deployment-utilization").orElseThrow());
        // another deployment has its own quota, and no utilisation header unless it is PTU
        HttpResponse<String> payg = chat("payg");
        assertEquals(200, payg.statusCode());
        assertTrue(payg.headers().firstValue("azure-openai-deployment-utilization").isEmpty());
        // a reset of the counts empties the windows
        sim.clearRequests();
        assertEquals(200, chat("ptu").statusCode());
    }
}
