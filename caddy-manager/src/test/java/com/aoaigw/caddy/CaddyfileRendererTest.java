package com.aoaigw.caddy;

import java.util.List;
import java.util.Optional;

import com.aoaigw.config.CaddySettings;
import com.aoaigw.config.CaddyTransport;
import com.aoaigw.config.caddy.CaddyfileRenderException;
import com.aoaigw.config.caddy.CaddyfileRenderer;
import com.aoaigw.config.caddy.RenderOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class CaddyfileRendererTest {
    private final CaddyfileRenderer renderer = new CaddyfileRenderer();

    static List<GoldenCase> goldens() {
        return GoldenCase.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void rendersGolden(GoldenCase golden) {
        Optional<String> actual = renderer.render(golden.caddy(), golden.options());
        assertEquals(golden.expected(), actual, "golden " + golden.name());
    }

    @Test
    void secondsRoundUpAndAreAtLeastOne() {
        assertEquals(1, CaddyfileRenderer.seconds(0));
        assertEquals(1, CaddyfileRenderer.seconds(1));
        assertEquals(1, CaddyfileRenderer.seconds(1000));
        assertEquals(2, CaddyfileRenderer.seconds(1001));
        assertEquals(45, CaddyfileRenderer.seconds(44_001));
    }

    @Test
    void refusesValuesThatWouldInjectDirectives() {
        CaddySettings caddy = new CaddySettings(true, "example.com\n}\nevil.com {", null, null, null, null, null,
                "internal", null, CaddyTransport.defaults());
        CaddyfileRenderException e = assertThrows(CaddyfileRenderException.class,
                () -> renderer.render(caddy, new RenderOptions("data", null, false, null, null)));
        assertTrue(e.getMessage().startsWith("server.caddy.domain is"), e.getMessage());
    }

    @Test
    void refusesUnknownCa() {
        CaddySettings caddy = new CaddySettings(true, "example.com", null, null, null, null, null,
                "zerossl", null, null);
        CaddyfileRenderException e = assertThrows(CaddyfileRenderException.class,
                () -> renderer.render(caddy, new RenderOptions("data", null, false, null, null)));
        assertTrue(e.getMessage().contains("use acme, acme-staging or internal"), e.getMessage());
    }
}
