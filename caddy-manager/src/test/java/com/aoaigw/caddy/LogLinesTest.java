package com.aoaigw.caddy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.ZoneOffset;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class LogLinesTest {
    private static final String PROBE = "{\"level\":\"info\",\"ts\":1796540000.5,\"logger\":\"admin.api\","
            + "\"msg\":\"received request\",\"method\":\"GET\",\"host\":\"127.0.0.1:2019\",\"uri\":\"/config/\"}";
    private static final String OBTAIN = "{\"level\":\"info\",\"ts\":1796540000.25,\"logger\":\"tls.obtain\","
            + "\"msg\":\"certificate obtained successfully\",\"identifier\":\"gw.example.com\"}";

    @Test
    void theLivenessProbeIsNotLoggedEveryFewSeconds() {
        assertNull(new LogLines(false, ZoneOffset.UTC).caddy(PROBE));
        assertNull(new LogLines(true, ZoneOffset.UTC).caddy(PROBE));
        String load = PROBE.replace("\"GET\"", "\"POST\"").replace("/config/", "/load");
        assertEquals("2026-12-06T06:53:20.500 INFO caddy.admin.api received request method=POST host=127.0.0.1:2019"
                + " uri=/load", new LogLines(false, ZoneOffset.UTC).caddy(load));
    }

    @Test
    void caddysLinesAndOwnLinesShareOneTextFormat() {
        LogLines text = new LogLines(false, ZoneOffset.UTC);
        assertEquals("2026-12-06T06:53:20.250 INFO caddy.tls.obtain certificate obtained successfully "
                + "identifier=gw.example.com", text.caddy(OBTAIN));
        LogRecord own = new LogRecord(Level.WARNING, "caddy exited ({0})");
        own.setParameters(new Object[] {"code 1"});
        own.setLoggerName("com.aoaigw.caddy.CaddySupervisor");
        own.setInstant(java.time.Instant.parse("2026-12-06T05:33:21.125Z"));
        assertEquals("2026-12-06T05:33:21.125 WARNING com.aoaigw.caddy.CaddySupervisor caddy exited (code 1)\n",
                text.formatter().format(own));
        assertEquals("2026-12-06T06:53:20.250 INFO caddy not json", text.caddy("not json").replaceFirst("^\\S+",
                "2026-12-06T06:53:20.250"));
    }

    @Test
    void caddysLinesAndOwnLinesShareOneJsonFormat() throws Exception {
        LogLines json = new LogLines(true, ZoneOffset.UTC);
        ObjectMapper m = new ObjectMapper();
        JsonNode c = m.readTree(json.caddy(OBTAIN));
        assertEquals("2026-12-06T06:53:20.250Z", c.get("ts").asText());
        assertEquals("INFO", c.get("level").asText());
        assertEquals("caddy.tls.obtain", c.get("logger").asText());
        assertEquals("certificate obtained successfully", c.get("message").asText());
        assertEquals("gw.example.com", c.get("identifier").asText());
        LogRecord own = new LogRecord(Level.SEVERE, "boom");
        own.setLoggerName("com.aoaigw.caddy.CaddyManager");
        own.setThrown(new IllegalStateException("x"));
        String line = json.formatter().format(own);
        assertTrue(line.endsWith("}\n") && line.indexOf('\n') == line.length() - 1, line);
        JsonNode o = m.readTree(line);
        assertEquals("ERROR", o.get("level").asText());
        assertEquals("com.aoaigw.caddy.CaddyManager", o.get("logger").asText());
        assertEquals("boom", o.get("message").asText());
        assertTrue(o.get("thrown").asText().startsWith("java.lang.IllegalStateException: x"));
    }
}
