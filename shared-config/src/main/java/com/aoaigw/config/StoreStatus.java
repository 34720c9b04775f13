package com.aoaigw.config;

import java.time.Instant;

/**
 * What the admin page shows about persistence.
 *
 * @param mode        {@code azureFile} or {@code blob}
 * @param state       {@code ready}, {@code degraded} (blob unreachable: serving the local cache) or {@code conflict}
 * @param lastError   the last error message, or null
 * @param pendingSync true when a local change waits to be pushed to the blob
 * @param lastSync    when the store last read or wrote its backing storage successfully, or null
 * @param location    the file path or blob URL (no credentials)
 */
public record StoreStatus(String mode, String state, String lastError, boolean pendingSync, Instant lastSync,
                          String location) {
}
