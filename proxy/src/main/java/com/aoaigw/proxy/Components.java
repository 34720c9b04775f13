package com.aoaigw.proxy;

import com.aoaigw.config.ConfigLoader;
import com.aoaigw.proxy.api.ErrorRenderer;
import com.aoaigw.proxy.observe.RequestRecorder;
import com.aoaigw.proxy.route.ModelRouter;
import com.aoaigw.proxy.route.Pools;
import com.aoaigw.proxy.upstream.FailoverLoop;
import com.aoaigw.proxy.upstream.CredentialCache;
import com.aoaigw.proxy.upstream.Translators;
import com.aoaigw.proxy.upstream.UpstreamClient;
import com.aoaigw.proxy.upstream.Watchdog;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Everything the proxy's services share, built once in {@link ProxyServer} and handed to each service's
 * constructor (no globals). The admin API reads the config holder and the recorder from here.
 *
 * @param settings    process settings
 * @param config      the config snapshot holder
 * @param loader      the strict config loader
 * @param mapper      the shared Jackson mapper
 * @param errors      the error renderer
 * @param router      the model router
 * @param translators the translation hook (no-op unless the translate package provides one)
 * @param credentials upstream credentials and token cache
 * @param upstream    the shared upstream client
 * @param watchdog    phase timeouts
 * @param recorder    per-request recording (access log, metrics, listeners such as the admin usage stats)
 * @param pools       the deployment pools and their health
 * @param failover    the attempts of one request across its pool and fallbacks
 */
public record Components(ProcessSettings settings,
                         ConfigHolder config,
                         ConfigLoader loader,
                         ObjectMapper mapper,
                         ErrorRenderer errors,
                         ModelRouter router,
                         Translators translators,
                         CredentialCache credentials,
                         UpstreamClient upstream,
                         Watchdog watchdog,
                         RequestRecorder recorder,
                         Pools pools,
                         FailoverLoop failover) {
}
