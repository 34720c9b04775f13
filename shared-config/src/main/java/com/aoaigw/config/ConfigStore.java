package com.aoaigw.config;

import java.util.function.Consumer;

/**
 * Where the config document lives (a local file, or an Azure blob with a local cache). Both processes use one.
 * The store deals in raw document text plus an etag; parsing and validation are the caller's.
 */
public interface ConfigStore extends AutoCloseable {
    /**
     * @return the current document and its etag
     * @throws ConfigStoreException when nothing can be read
     */
    Versioned read();

    /**
     * Writes a document if the stored version still has the etag it was based on.
     *
     * @param json   the new document
     * @param ifMatch the etag the change was based on; null only to create a document that does not exist yet
     *                ({@link FileConfigStore} also accepts {@code "*"}: write whatever is stored)
     * @return the new etag
     * @throws ConfigConflictException when the stored version has another etag (it carries the current version)
     * @throws ConfigStoreException    when the write failed (the stored document is unchanged)
     */
    String write(String json, String ifMatch);

    /**
     * Calls the listener with each new version written by anyone (this process or another).
     *
     * @param listener receives new versions
     */
    void watch(Consumer<Versioned> listener);

    /** @return mode, state, last error, pending sync, last sync time */
    StoreStatus status();

    @Override
    void close();

    /**
     * A document version.
     *
     * @param json the document text
     * @param etag its etag (opaque)
     */
    record Versioned(String json, String etag) {
    }
}
