package com.aoaigw.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Run-time settings changes, settings defaults, and the process settings of {@link Main}. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ControlServiceTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void applyMergesDeploymentsAndKeepsPermissiveness() throws Exception {
        SimSettings s = SimSettings.defaults();
        assertFalse(s.strictDeployments());
        SimSettings next = ControlService.apply(s, mapper.readTree("{\"deployments\":{\"slow\":{\"ttftMs\":250,"
                + "\"fault\":\"429\"}},\"defaultDeployment\":{\"tokensPerSecond\":10}}"));
        assertEquals(250, next.deployment("slow").ttftMs());
        assertEquals(Fault.RATE_LIMIT, next.deployment("slow").fault());
        assertEquals(10, next.deployment("other").tokensPerSecond());
        SimSettings counted = ControlService.apply(next, mapper.readTree("{\"deployments\":{\"slow\":{"
                + "\"faultCount\":3,\"tokens\":40}}}"));
        assertEquals(3, counted.deployment("slow").faultCount());
        assertEquals(40, counted.deployment("slow").tokens());
        assertEquals(250, counted.deployment("slow").ttftMs(), "fields left out keep their values");
        assertFalse(next.strictDeployments(), "listing a deployment at run time keeps unknown names working");
        assertThrows(IllegalArgumentException.class, () -> ControlService.apply(s, mapper.readTree(
                "{\"deployments\":{\"x\":{\"fault\":\"boom\"}}}")));
        assertThrows(IllegalArgumentException.class, () -> ControlService.apply(s, mapper.readTree(
                "{\"deployments\":{\"x\":{\"speed\":1}}}")));
    }

    @Test
    void listedDeploymentsMakeTheBuilderStrictUnlessTold() {
        SimSettings strict = SimSettings.builder().deployment("a", DeploymentSettings.defaults()).build();
        assertTrue(strict.strictDeployments());
        assertNull(strict.deployment("b"));
        SimSettings lenient = SimSettings.builder().deployment("a", DeploymentSettings.defaults())
                .strictDeployments(false).build();
        assertEquals(DeploymentSettings.defaults(), lenient.deployment("b"));
        SimSettings zero = SimSettings.builder().zeroLatency(true).build();
        assertEquals(0, zero.defaultDeployment().ttftMs());
        assertEquals(0, zero.defaultDeployment().tokensPerSecond());
        assertEquals(DeploymentSettings.DEFAULT_TTFT_MS, SimSettings.defaults().defaultDeployment().ttftMs());
        SimSettings explicit = SimSettings.builder().zeroLatency(true)
                .defaultDeployment(DeploymentSettings.defaults().withTtftMs(30)).build();
        assertEquals(30, explicit.defaultDeployment().ttftMs(), "an explicit default wins over benchmark mode");
        assertEquals(30, explicit.toBuilder().build().defaultDeployment().ttftMs());
        assertEquals(List.of("sim-key"), SimSettings.defaults().apiKeys());
    }

    @Test
    void mainReadsProcessSettings() {
        Config c = Config.just(ConfigSources.create(Map.of("SIM_PORT", "0", "SIM_API_KEYS", "a, b,,c",
                "SIM_ZERO_LATENCY", "false", "SIM_TTFT_MS", "42", "SIM_TOKENS_PER_SECOND", "7.5",
                "SIM_CLIENT_SECRET", "s3")));
        SimSettings s = Main.settings(c);
        assertEquals(List.of("a", "b", "c"), s.apiKeys());
        assertEquals(42, s.defaultDeployment().ttftMs());
        assertEquals(7.5, s.defaultDeployment().tokensPerSecond());
        assertEquals("s3", s.clientSecret());
        assertEquals("sim-client", s.clientId());
        assertFalse(s.zeroLatency());
    }
}
