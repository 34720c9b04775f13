package com.aoaigw.caddy;

import java.util.function.Consumer;

import com.aoaigw.config.ConfigStore;

/**
 * Where caddy-manager gets config document versions from: the current one first, then each new one. Kept this
 * narrow so the source (a polled file today, the shared {@code ConfigStore} once it lands) is swapped in one line
 * of {@link Main}.
 */
public interface ConfigFeed extends AutoCloseable {
    /**
     * Starts delivering versions: the current one (if any) as soon as possible, then each change.
     *
     * @param listener receives versions, one at a time
     */
    void subscribe(Consumer<ConfigStore.Versioned> listener);

    @Override
    void close();
}
