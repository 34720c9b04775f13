package com.aoaigw.proxy.translate;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes the ids of objects the proxy invents (responses, items, chat completions). Injected so that golden tests
 * get deterministic ids.
 */
@FunctionalInterface
public interface IdSource {
    /**
     * A new id.
     *
     * @param prefix the OpenAI-style prefix, e.g. {@code resp}, {@code msg}, {@code fc}, {@code chatcmpl}
     * @return an id starting with {@code prefix + "_"} (or {@code "-"} for {@code chatcmpl})
     */
    String next(String prefix);

    /**
     * Unique random ids, for production.
     *
     * @return a source of random ids
     */
    static IdSource random() {
        return prefix -> prefix + ("chatcmpl".equals(prefix) ? "-" : "_")
                + UUID.randomUUID().toString().replace("-", "");
    }

    /**
     * Counting ids ({@code msg_1}, {@code msg_2}, ...), for tests.
     *
     * @return a new counting source
     */
    static IdSource counting() {
        AtomicLong counter = new AtomicLong();
        return prefix -> prefix + ("chatcmpl".equals(prefix) ? "-" : "_") + counter.incrementAndGet();
    }
}
