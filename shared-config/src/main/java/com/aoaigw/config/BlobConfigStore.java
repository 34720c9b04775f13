package com.aoaigw.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import com.azure.core.http.rest.Response;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.core.util.HttpClientOptions;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobDownloadContentResponse;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The config document in an Azure blob, with a local cache file ({@code CONFIG_PATH}) kept in step.
 *
 * <p>Etags handed to callers are the local cache's (SHA-256 of the document, see {@link FileConfigStore}); the
 * blob's own ETag is kept internally, and in the sync-state file {@code <CONFIG_PATH>.sync.json} so a restart knows
 * which blob version the cache came from and whether a local change still waits to be pushed.
 *
 * <ul>
 *   <li>Start: the blob is read and written to the cache. A missing blob is seeded from the cache with
 *       {@code If-None-Match: *}. When the blob cannot be reached (403, network), the store starts
 *       {@code degraded} and serves the cache.</li>
 *   <li>Write, normal: {@code ifMatch} must match the cache; the blob is replaced with {@code If-Match: <blob etag>};
 *       a stale blob gives {@link ConfigConflictException} with the blob's current version (the cache follows it).</li>
 *   <li>Write, degraded (or the blob fails during the write): the change is written to the cache and queued
 *       ({@code pendingSync}), remembering the blob ETag it was based on.</li>
 *   <li>Background, every interval: reconnect; push a queued change with {@code If-Match: <base etag>} (or
 *       {@code If-None-Match: *} when the blob was never seen), so a newer blob version is never overwritten. When
 *       the blob changed meanwhile the state becomes {@code conflict}: the local change is kept in
 *       {@code <CONFIG_PATH>.conflict-<UTC timestamp>}, the newer blob version is served, and the status says so
 *       until the next successful write. When nothing is queued, the blob is polled ({@code If-None-Match}) and
 *       new versions are written to the cache and delivered to watchers.</li>
 * </ul>
 *
 * <p>The blob client uses few, short tries (2 tries of at most 5 s, 3 s connect timeout) so an unreachable
 * endpoint is detected in seconds. Status messages carry no keys, SAS tokens or connection strings.
 */
public final class BlobConfigStore implements ConfigStore {
    private static final System.Logger LOG = System.getLogger(BlobConfigStore.class.getName());
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(12);

    private final BlobContainerClient container;
    private final BlobClient blob;
    private final FileConfigStore cache;
    private final Path syncStatePath;
    private final Duration interval;
    private final String location;
    private final ObjectMapper json = new ObjectMapper();
    private final ReentrantLock lock = new ReentrantLock(true);
    private final ConfigListeners listeners = new ConfigListeners();
    private final Thread syncThread;
    private volatile boolean closed;

    // guarded by lock
    private String blobEtag;
    private boolean pending;
    private String state = "ready";
    private String lastError;
    private Instant lastSync;

    /**
     * A store from the process settings; polls and retries every {@code settings.recoveryIntervalMs()}.
     *
     * @param settings the store settings (blob mode)
     */
    public BlobConfigStore(StoreSettings settings) {
        this(settings, Duration.ofMillis(settings.recoveryIntervalMs()));
    }

    /**
     * @param settings the store settings (blob mode)
     * @param interval polling and recovery interval (tests use a short one)
     */
    public BlobConfigStore(StoreSettings settings, Duration interval) {
        this(client(settings), settings.container(), settings.blobName(), Path.of(settings.configPath()), interval);
    }

    /**
     * @param service       the blob service client
     * @param containerName container
     * @param blobName      blob
     * @param cachePath     the local cache file
     * @param interval      polling and recovery interval
     */
    public BlobConfigStore(BlobServiceClient service, String containerName, String blobName, Path cachePath,
                           Duration interval) {
        if (containerName == null || containerName.isBlank()) {
            throw new IllegalArgumentException("blob mode needs a container (CONFIG_BLOB_CONTAINER)");
        }
        this.container = service.getBlobContainerClient(containerName);
        this.blob = container.getBlobClient(blobName);
        this.cache = new FileConfigStore(cachePath);
        this.syncStatePath = cache.path().resolveSibling(cache.path().getFileName() + ".sync.json");
        this.interval = interval;
        this.location = stripQuery(blob.getBlobUrl());
        loadSyncState();
        lock.lock();
        try {
            syncOnce();
            Versioned v = readCacheOrNull();
            listeners.baseline(v == null ? null : v.etag());
        } catch (IOException e) {
            throw new ConfigStoreException("cannot read the local copy " + cache.path() + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
        this.syncThread = Thread.ofPlatform().daemon().name("config-blob-sync").start(this::syncLoop);
    }

    private static BlobServiceClient client(StoreSettings settings) {
        if (settings.container() == null || settings.container().isBlank()) {
            throw new IllegalArgumentException("blob mode needs a container (CONFIG_BLOB_CONTAINER)");
        }
        BlobServiceClientBuilder b = new BlobServiceClientBuilder()
                .retryOptions(new RequestRetryOptions(RetryPolicyType.FIXED, 2, Duration.ofSeconds(5),
                        Duration.ofMillis(200), Duration.ofSeconds(1), null))
                .clientOptions(new HttpClientOptions()
                        .setConnectTimeout(Duration.ofSeconds(3))
                        .setResponseTimeout(Duration.ofSeconds(5)));
        if (settings.connectionString() != null && !settings.connectionString().isBlank()) {
            b.connectionString(settings.connectionString());
        } else if (settings.accountUrl() != null && !settings.accountUrl().isBlank()) {
            b.endpoint(settings.accountUrl()).credential(new DefaultAzureCredentialBuilder().build());
        } else {
            throw new IllegalArgumentException("blob mode needs AZURE_STORAGE_ACCOUNT_URL (or "
                    + "AZURE_STORAGE_CONNECTION_STRING)");
        }
        return b.buildClient();
    }

    @Override
    public Versioned read() {
        try {
            Versioned v = readCacheOrNull();
            if (v == null) {
                throw new ConfigStoreException("no config document: the blob " + location + " could not be read"
                        + " and there is no local copy at " + cache.path());
            }
            return v;
        } catch (IOException e) {
            throw new ConfigStoreException("cannot read the local copy " + cache.path() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String write(String document, String ifMatch) {
        Versioned written;
        lock.lock();
        try {
            Versioned local = readCacheOrNull();
            if (ifMatch == null ? local != null : local == null || !ifMatch.equals(local.etag())) {
                throw new ConfigConflictException(local);
            }
            if ("degraded".equals(state) || pending) {
                written = writeLocally(document, local);
            } else {
                try {
                    String newBlobEtag = upload(document, blobEtag);
                    blobEtag = newBlobEtag;
                    String etag = cache.write(document, "*");
                    pending = false;
                    state = "ready";
                    lastError = null;
                    lastSync = Instant.now();
                    saveSyncState();
                    written = new Versioned(document, etag);
                } catch (BlobStorageException e) {
                    if (isConditionFailure(e)) {
                        Versioned current = pullBlob();
                        throw new ConfigConflictException(current);
                    }
                    degrade(e);
                    written = writeLocally(document, local);
                } catch (RuntimeException e) {
                    if (e instanceof ConfigStoreException) {
                        throw e;
                    }
                    degrade(e);
                    written = writeLocally(document, local);
                }
            }
        } catch (IOException e) {
            throw new ConfigStoreException("cannot read the local copy " + cache.path() + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
        listeners.deliver(written);
        return written.etag();
    }

    /** Degraded write: keep it in the cache and queue it; the base blob etag stays the last one seen. */
    private Versioned writeLocally(String document, Versioned local) {
        String etag = cache.write(document, local == null ? null : local.etag());
        pending = true;
        saveSyncState();
        LOG.log(System.Logger.Level.WARNING, "blob unreachable: config change kept locally, pending sync to {0}",
                location);
        return new Versioned(document, etag);
    }

    @Override
    public void watch(Consumer<Versioned> listener) {
        listeners.add(listener);
    }

    @Override
    public StoreStatus status() {
        lock.lock();
        try {
            return new StoreStatus("blob", state, lastError, pending, lastSync, location);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        syncThread.interrupt();
        try {
            syncThread.join(15000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        cache.close();
    }

    // ---- background sync ----

    private void syncLoop() {
        while (!closed) {
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            Versioned changed;
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                syncOnce();
                changed = readCacheOrNull();
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "config blob sync failed: {0}", safe(e));
                changed = null;
            } finally {
                lock.unlock();
            }
            if (changed != null) {
                listeners.deliver(changed);
            }
        }
    }

    /** One step: reconnect, push a queued change, or pull a newer blob. Runs under the lock. */
    private void syncOnce() {
        try {
            if (pending) {
                push();
            } else {
                pull();
            }
        } catch (BlobStorageException e) {
            degrade(e);
        } catch (IOException | RuntimeException e) {
            degrade(e);
        }
    }

    private void pull() throws IOException {
        BlobDownloadContentResponse r;
        try {
            r = blob.downloadContentWithResponse(null, blobEtag == null ? null
                    : new BlobRequestConditions().setIfNoneMatch(blobEtag), CALL_TIMEOUT, Context.NONE);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 304) {
                markReady();
                return;
            }
            if (e.getStatusCode() == 404) {
                seed(e.getErrorCode());
                return;
            }
            throw e;
        }
        if (r.getStatusCode() == 304) {
            markReady();
            return;
        }
        String text = r.getValue().toString();
        String etag = r.getDeserializedHeaders().getETag();
        Versioned local = readCacheOrNull();
        if (local == null || !local.json().equals(text)) {
            cache.write(text, "*");
        }
        blobEtag = etag;
        markReady();
        saveSyncState();
    }

    /** The blob does not exist: create it from the local copy, never over one that appeared meanwhile. */
    private void seed(BlobErrorCode code) throws IOException {
        if (BlobErrorCode.CONTAINER_NOT_FOUND.equals(code)) {
            container.createIfNotExists();
        }
        Versioned local = readCacheOrNull();
        if (local == null) {
            markReady();
            lastError = "the blob " + location + " does not exist and there is no local copy to seed it from";
            return;
        }
        try {
            blobEtag = upload(local.json(), null);
            LOG.log(System.Logger.Level.INFO, "seeded the config blob {0} from {1}", location, cache.path());
            markReady();
            saveSyncState();
        } catch (BlobStorageException e) {
            if (isConditionFailure(e)) {
                // another process seeded it first: take theirs
                blobEtag = null;
                pull();
                return;
            }
            throw e;
        }
    }

    /** Pushes the queued local change based on the remembered blob version; a newer blob makes a conflict. */
    private void push() throws IOException {
        Versioned local = readCacheOrNull();
        if (local == null) {
            pending = false;
            saveSyncState();
            return;
        }
        try {
            blobEtag = upload(local.json(), blobEtag);
            pending = false;
            markReady();
            saveSyncState();
            LOG.log(System.Logger.Level.INFO, "pushed the pending config change to {0}", location);
        } catch (BlobStorageException e) {
            if (!isConditionFailure(e)) {
                throw e;
            }
            Path side = cache.path().resolveSibling(cache.path().getFileName() + ".conflict-"
                    + STAMP.format(Instant.now()));
            FileModes.writePrivate(side, local.json());
            pending = false;
            blobEtag = null;
            pull();
            state = "conflict";
            lastError = "the blob changed while a local change waited to be pushed; the blob version is served and "
                    + "the local change is kept in " + side.getFileName() + "; review it and save again";
            saveSyncState();
            LOG.log(System.Logger.Level.WARNING, "config conflict: {0}", lastError);
        }
    }

    /**
     * Uploads with {@code If-Match: base}, or {@code If-None-Match: *} when there is no base.
     *
     * @return the blob's new ETag
     */
    private String upload(String document, String base) {
        BlobRequestConditions conditions = base == null
                ? new BlobRequestConditions().setIfNoneMatch("*")
                : new BlobRequestConditions().setIfMatch(base);
        BlobParallelUploadOptions options = new BlobParallelUploadOptions(BinaryData.fromString(document))
                .setHeaders(new BlobHttpHeaders().setContentType("application/json; charset=utf-8"))
                .setRequestConditions(conditions);
        Response<BlockBlobItem> r;
        try {
            r = blob.uploadWithResponse(options, CALL_TIMEOUT, Context.NONE);
        } catch (BlobStorageException e) {
            if (!BlobErrorCode.CONTAINER_NOT_FOUND.equals(e.getErrorCode())) {
                throw e;
            }
            // a fresh account (or a deleted container): create it, then the same conditional upload
            container.createIfNotExists();
            r = blob.uploadWithResponse(options, CALL_TIMEOUT, Context.NONE);
        }
        lastSync = Instant.now();
        return r.getValue().getETag();
    }

    /** After a failed condition: the blob's current version, written to the cache. */
    private Versioned pullBlob() throws IOException {
        blobEtag = null;
        pull();
        return readCacheOrNull();
    }

    private static boolean isConditionFailure(BlobStorageException e) {
        return e.getStatusCode() == 412 || e.getStatusCode() == 409;
    }

    /** The blob answered. A conflict stays visible until the next successful write. */
    private void markReady() {
        lastSync = Instant.now();
        if (!"conflict".equals(state)) {
            state = "ready";
            lastError = null;
        }
    }

    private void degrade(Exception e) {
        if (!"degraded".equals(state)) {
            LOG.log(System.Logger.Level.WARNING, "config blob {0} unreachable, serving the local copy: {1}",
                    location, safe(e));
        }
        state = "degraded";
        lastError = safe(e);
    }

    private Versioned readCacheOrNull() throws IOException {
        return cache.readOrNull();
    }

    // ---- sync state file ----

    private void loadSyncState() {
        try {
            if (!Files.exists(syncStatePath)) {
                return;
            }
            JsonNode n = json.readTree(Files.readString(syncStatePath));
            blobEtag = n.path("blobEtag").isTextual() ? n.get("blobEtag").asText() : null;
            pending = n.path("pendingSync").asBoolean(false);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "ignoring unreadable {0}: {1}", syncStatePath, e.getMessage());
        }
    }

    private void saveSyncState() {
        ObjectNode n = json.createObjectNode();
        n.put("blobEtag", blobEtag);
        n.put("pendingSync", pending);
        n.put("location", location);
        try {
            FileModes.writePrivate(syncStatePath, n.toPrettyString());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot save {0}: {1}", syncStatePath, e.getMessage());
        }
    }

    // ---- messages without secrets ----

    private static String safe(Throwable e) {
        Throwable t = e;
        String msg = null;
        while (t != null && (msg == null || msg.isBlank())) {
            msg = t.getMessage();
            t = t.getCause();
        }
        if (e instanceof BlobStorageException bse) {
            msg = "HTTP " + bse.getStatusCode() + (bse.getErrorCode() == null ? "" : " " + bse.getErrorCode());
        }
        if (msg == null) {
            msg = e.getClass().getSimpleName();
        }
        String first = msg.lines().findFirst().orElse(msg);
        // no query strings (SAS), no account keys or signatures
        first = first.replaceAll("\\?[^\\s\"']*", "?<redacted>")
                .replaceAll("(?i)(AccountKey|SharedAccessSignature|sig)=[^;\\s&]*", "$1=<redacted>");
        return first.length() > 300 ? first.substring(0, 300) : first;
    }

    private static String stripQuery(String url) {
        int q = url.indexOf('?');
        String plain = q < 0 ? url : url.substring(0, q);
        return java.net.URLDecoder.decode(plain, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "BlobConfigStore[" + location + ", cache " + cache.path() + ", " + state.toLowerCase(Locale.ROOT) + "]";
    }
}
