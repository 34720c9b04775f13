/**
 * Model compatibility: requests written for OpenAI are made acceptable to Azure deployments whose API or accepted
 * parameters differ, and answers are made to look like what the client's API returns.
 *
 * <h2>Pieces</h2>
 * <ul>
 * <li>{@link com.aoaigw.proxy.route.ModelFamily}: {@code models[].family} ({@code gpt-5}, {@code o-series},
 * {@code gpt-4o}, {@code gpt-4.1}, {@code gpt-4}, {@code gpt-35}, {@code embedding}, {@code image},
 * {@code other}), or detected from the deployment name; carried by the route plan.</li>
 * <li>{@link com.aoaigw.proxy.translate.NormalizationRule} and
 * {@link com.aoaigw.proxy.translate.RequestNormalizer}: small rules per family and backend API, each switched off
 * per model by name in {@code models[].disabledRules}: {@code reject-web-search}, {@code reasoning-shape},
 * {@code reasoning-effort}, {@code reject-reasoning}, {@code strip-reasoning}, {@code max-completion-tokens},
 * {@code logprobs-implied}, {@code strip-service-tier}, {@code strip-verbosity}, {@code strip-top-k},
 * {@code stream-options}. Family {@code other} is never normalised.</li>
 * <li>{@link com.aoaigw.proxy.translate.ChatToResponsesTranslator}: chat client, responses backend (request,
 * JSON answer, stream); {@link com.aoaigw.proxy.translate.ResponsesToChatTranslator}: the reverse.</li>
 * <li>{@link com.aoaigw.proxy.translate.ApiTranslator}: the translator between API kinds: translate when the
 * client's API and the backend's differ, then normalise for the backend and family.</li>
 * <li>{@link com.aoaigw.proxy.translate.TranslationSelector}: the data plane's seam ({@code proxy/HOOKS.md}),
 * asked once per routed request for a {@link com.aoaigw.proxy.translate.TranslationPlan} (request, answer and
 * {@link com.aoaigw.proxy.translate.StreamTransform} over {@link com.aoaigw.proxy.translate.SseEvent}s);
 * {@link com.aoaigw.proxy.translate.CompatibilitySelector} is the production one.</li>
 * </ul>
 *
 * <h2>Decisions</h2>
 * <ul>
 * <li>Content the proxy does not own (message text, nulls, {@code "undefined"} strings) is never rewritten.</li>
 * <li>What a target API cannot express is a 400 naming the field ({@code param}), never a silent drop: e.g.
 * {@code n > 1}, {@code stop}, {@code seed}, {@code logprobs} toward responses; {@code previous_response_id},
 * {@code conversation}, {@code background}, {@code store: true}, {@code prompt}, {@code include} (except
 * {@code reasoning.encrypted_content}), hosted tools toward chat. Two things are ignored on purpose and
 * documented: replayed {@code reasoning} input items and a requested reasoning {@code summary} toward chat
 * (model-internal state and an optional extra a chat backend cannot produce), and a chat message {@code name}
 * toward responses (a participant label only).</li>
 * <li>System and developer messages keep their role and their place in {@code input}; {@code instructions}
 * becomes a first system message toward chat.</li>
 * <li>Reasoning settings for families that do not reason are a 400 naming the field, unless the operator
 * disables {@code reject-reasoning} for the model, in which case {@code strip-reasoning} drops them; they are
 * never forwarded to gpt-4o.</li>
 * <li>Streams: a chat client gets a role chunk, exactly one finish chunk, a usage chunk when it asked, and exactly
 * one {@code [DONE]}; a responses client gets a full named event sequence with sequence numbers from 0. Upstream
 * failures become client error events; an upstream that ends without a terminal event is an error too.</li>
 * </ul>
 */
package com.aoaigw.proxy.translate;
