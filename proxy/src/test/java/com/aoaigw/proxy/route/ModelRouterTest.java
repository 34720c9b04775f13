package com.aoaigw.proxy.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import com.aoaigw.config.ConfigLoader;
import com.aoaigw.config.GatewayConfig;
import com.aoaigw.proxy.error.ProxyException;

/** Table test of URL building, including the original's route-override cases (original-product.md §5.2-5.3). */
class ModelRouterTest {
    private static final GatewayConfig CONFIG = new ConfigLoader().load("""
            {"auth":{"mode":"apiKey","apiKey":"azure-key"},"apiKeys":[{"id":"t","key":"a-long-enough-client-key-for-tests"}],"upstreams":[
               {"name":"v1","baseUrl":"https://res.openai.azure.com"},
               {"name":"v1pv","baseUrl":"https://res.openai.azure.com/","apiVersion":"preview"},
               {"name":"classic","baseUrl":"https://c.openai.azure.com/","apiStyle":"classic"},
               {"name":"classicv","baseUrl":"https://c.openai.azure.com/","apiStyle":"classic","apiVersion":"2025-01-01"},
               {"name":"apim","baseUrl":"https://apim.example.com/gw/aoai/"},
               {"name":"routed","baseUrl":"https://r.example.com/base/","routes":{
                   "chat/completions":"openai/deployments/{deployment}/chat/completions?api-version=2024-10-21",
                   "responses":"/openai/v1/responses"}}],
             "models":[
               {"id":"m-v1","upstream":"v1","targetModel":"dep one"},
               {"id":"m-pv","upstream":"v1pv","targetModel":"img"},
               {"id":"m-classic","upstream":"classic","targetModel":"gpt-4o"},
               {"id":"m-classicv","upstream":"classicv","targetModel":"gpt-4o"},
               {"id":"m-apim","upstream":"apim","targetModel":"d"},
               {"id":"m-routed","upstream":"routed","targetModel":"d"},
               {"id":"m-star","upstream":"v1","targetModel":"gpt-5-codex","routes":{"*":"responses"}},
               {"id":"m-chat2resp","upstream":"routed","targetModel":"d","routes":{"chat/completions":"responses"}},
               {"id":"m-path","upstream":"v1","targetModel":"d","routes":{"chat/completions":"/openai/deployments/{deployment}/chat/completions?api-version=2024-10-21"}},
               {"id":"m-pathresp","upstream":"v1","targetModel":"d","routes":{"chat/completions":"/custom/responses"}},
               {"id":"m-multi","deployments":[{"upstream":"v1","deployment":"low","priority":2},
                                              {"upstream":"v1","deployment":"light","priority":1,"weight":1},
                                              {"upstream":"v1","deployment":"heavy","priority":1,"weight":5}]}]}
            """).config();

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "m-v1,chat/completions,https://res.openai.azure.com/openai/v1/chat/completions,chat/completions",
            "m-v1,embeddings,https://res.openai.azure.com/openai/v1/embeddings,embeddings",
            "m-pv,images/generations,https://res.openai.azure.com/openai/v1/images/generations?api-version=preview,images/generations",
            "m-classic,chat/completions,https://c.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21,chat/completions",
            "m-classic,responses,https://c.openai.azure.com/openai/responses?api-version=2025-04-01-preview,responses",
            "m-classic,images/generations,https://c.openai.azure.com/openai/deployments/gpt-4o/images/generations?api-version=2024-10-21,images/generations",
            "m-classicv,embeddings,https://c.openai.azure.com/openai/deployments/gpt-4o/embeddings?api-version=2025-01-01,embeddings",
            "m-apim,chat/completions,https://apim.example.com/gw/aoai/openai/v1/chat/completions,chat/completions",
            "m-routed,chat/completions,https://r.example.com/base/openai/deployments/d/chat/completions?api-version=2024-10-21,chat/completions",
            "m-routed,responses,https://r.example.com/openai/v1/responses,responses",
            "m-star,chat/completions,https://res.openai.azure.com/openai/v1/responses,responses",
            "m-star,images/generations,https://res.openai.azure.com/openai/v1/images/generations,images/generations",
            "m-star,embeddings,https://res.openai.azure.com/openai/v1/embeddings,embeddings",
            "m-chat2resp,chat/completions,https://r.example.com/openai/v1/responses,responses",
            "m-path,chat/completions,https://res.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-10-21,chat/completions",
            "m-pathresp,chat/completions,https://res.openai.azure.com/custom/responses,responses",
            "m-multi,chat/completions,https://res.openai.azure.com/openai/v1/chat/completions,chat/completions"})
    void urls(String model, String route, String url, String backend) {
        RoutePlan p = new ModelRouter().route(CONFIG, RouteKey.parse(route).orElseThrow(), model);
        assertEquals(url, p.target().toString());
        assertEquals(backend, p.backendRoute().key());
    }

    @Test
    void deploymentIsEncodedInPathAndPreferenceIsDeterministic() {
        RoutePlan p = new ModelRouter().route(CONFIG, RouteKey.CHAT, "m-v1");
        assertEquals("dep one", p.deployment().deployment());
        assertEquals("heavy", new ModelRouter().route(CONFIG, RouteKey.CHAT, "m-multi").deployment().deployment());
        GatewayConfig enc = new ConfigLoader().load("""
                {"auth":{"mode":"apiKey","apiKey":"azure-key"},"apiKeys":[{"id":"t","key":"a-long-enough-client-key-for-tests"}],"upstreams":[{"name":"c","baseUrl":"https://c/","apiStyle":"classic"}],
                 "models":[{"id":"m","upstream":"c","targetModel":"a b/c"}]}""").config();
        assertEquals("https://c/openai/deployments/a%20b%2Fc/chat/completions?api-version=2024-10-21",
                new ModelRouter().route(enc, RouteKey.CHAT, "m").target().toString());
    }

    @Test
    void unknownModelIs404() {
        ProxyException e = assertThrows(ProxyException.class, () -> new ModelRouter().route(CONFIG, RouteKey.CHAT, "nope"));
        assertEquals(404, e.status());
        assertEquals("model_not_found", e.code());
        assertEquals("model", e.param());
    }

    @Test
    void planCarriesTheConfiguredFamilyElseTheOneDetectedFromTheDeploymentName() {
        GatewayConfig config = new ConfigLoader().load("""
                {"auth":{"mode":"apiKey","apiKey":"azure-key"},"apiKeys":[{"id":"t","key":"a-long-enough-client-key-for-tests"}],
                 "upstreams":[{"name":"v1","baseUrl":"https://res.openai.azure.com"}],
                 "models":[{"id":"named","upstream":"v1","targetModel":"prod-chat","family":"o-series"},
                           {"id":"guessed","upstream":"v1","targetModel":"team-gpt-5-mini"},
                           {"id":"ada","upstream":"v1","targetModel":"text-embedding-3-small"},
                           {"id":"partner","upstream":"v1","targetModel":"DeepSeek-R1"}]}
                """).config();
        ModelRouter router = new ModelRouter();
        assertEquals(ModelFamily.O_SERIES, router.route(config, RouteKey.CHAT, "named").family());
        assertEquals(ModelFamily.GPT_5, router.route(config, RouteKey.RESPONSES, "guessed").family());
        assertEquals(ModelFamily.EMBEDDING, router.route(config, RouteKey.EMBEDDINGS, "ada").family());
        assertEquals(ModelFamily.OTHER, router.route(config, RouteKey.CHAT, "partner").family());
    }
}
