package com.aoaigw.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HeaderPolicyTest {
    @ParameterizedTest
    @CsvSource({"authorization,false", "api-key,false", "x-api-key,false", "ocp-apim-subscription-key,false",
            "cookie,false", "connection,false", "proxy-connection,false", "transfer-encoding,false", "host,false",
            "content-length,false", "te,false", "upgrade,false", "x-forwarded-for,false", "user-agent,true",
            "openai-beta,true", "x-stainless-os,false"})
    void requestHeaders(String name, boolean forwarded) {
        assertEquals(forwarded, new HeaderPolicy(java.util.List.of()).forwards(name));
    }

    @ParameterizedTest
    @CsvSource({"retry-after,true", "retry-after-ms,true", "x-ms-retry-after-ms,true", "x-ratelimit-remaining-tokens,true",
            "apim-request-id,true", "x-ms-region,true", "set-cookie,false", "x-request-id,false", "server,false",
            "content-length,false"})
    void responseHeaders(String name, boolean passed) {
        assertEquals(passed, HeaderPolicy.passResponse(name));
    }

    @ParameterizedTest
    @CsvSource({"abc-123,true", "a.b_c:d-e,true", "'',false", "has space,false", "semi;colon,false", "é,false"})
    void requestIds(String id, boolean valid) {
        assertEquals(valid, HeaderPolicy.validRequestId(id));
    }

    @org.junit.jupiter.api.Test
    void longRequestIdRefused() {
        assertEquals(true, HeaderPolicy.validRequestId("a".repeat(128)));
        assertEquals(false, HeaderPolicy.validRequestId("a".repeat(129)));
    }

    @org.junit.jupiter.api.Test
    void extraHeadersNeverIncludeCredentials() {
        HeaderPolicy p = new HeaderPolicy(java.util.List.of("x-sim-*", "X-Ms-Client-Request-Id", "authorization", "cookie*"));
        assertEquals(true, p.forwards("x-sim-fault"));
        assertEquals(true, p.forwards("x-ms-client-request-id"));
        assertEquals(false, p.forwards("authorization"));
        assertEquals(false, p.forwards("cookie"));
        assertEquals(false, p.forwards("x-other"));
    }
}
