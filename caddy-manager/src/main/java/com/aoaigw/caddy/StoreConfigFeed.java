package com.aoaigw.caddy;

import java.util.function.Consumer;

import com.aoaigw.config.ConfigStore;
import com.aoaigw.config.ConfigStoreException;

/**
 * A {@link ConfigFeed} over the shared {@link ConfigStore} (a file, or a blob with its local cache): the current
 * version first, then every version the store's watch delivers.
 */
public final class StoreConfigFeed implements ConfigFeed {
    private static final System.Logger LOG = System.getLogger(StoreConfigFeed.class.getName());

    private final ConfigStore store;

    /**
     * @param store the store; closed with this feed
     */
    public StoreConfigFeed(ConfigStore store) {
        this.store = store;
    }

    @Override
    public void subscribe(Consumer<ConfigStore.Versioned> listener) {
        // watch first, so a version written between the read and the watch is not missed
        store.watch(listener);
        try {
            listener.accept(store.read());
        } catch (ConfigStoreException e) {
            // no document yet, or the store is unreachable: the watch delivers it when it appears
            LOG.log(System.Logger.Level.WARNING, "no config to apply yet: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
