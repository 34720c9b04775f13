package com.aoaigw.proxy.admin;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

import com.aoaigw.proxy.config.ConfigSnapshot;
import com.aoaigw.proxy.state.ConsoleStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The fleet: every replica publishes a heartbeat (id, version, config etag, uptime, requests in flight, last refused
 * config, health) every {@code intervalMs} through the {@link ConsoleStore}, with a time to live of
 * {@link #TTL_INTERVALS} intervals, and once more at once after each config change. {@code GET /admin/api/fleet}
 * lists the live replicas (in local mode: this one), flags each one serving a config other than the one the store
 * holds now ({@code configCurrent: false}) and each one not heard from for {@link #SILENT_INTERVALS} intervals
 * ({@code silent}), and sums their health ({@link GatewayHealth}) into the fleet's.
 */
public final class FleetService implements HttpService, AutoCloseable {
    /** Default heartbeat interval. */
    public static final long INTERVAL_MS = 5_000;
    /** A heartbeat lives this many intervals. */
    public static final int TTL_INTERVALS = 12;
    /** A replica not heard from for this many intervals is flagged silent. */
    public static final int SILENT_INTERVALS = 3;
    private static final System.Logger LOG = System.getLogger(FleetService.class.getName());

    private final ObjectMapper mapper = AdminJson.mapper();
    private final String id;
    private final ConsoleStore store;
    private final AdminConfigAccess access;
    private final GatewayHealth health;
    private final IntSupplier inFlight;
    private final BooleanSupplier sharedStateUp;
    private final LongSupplier clock;
    private final String version;
    private final Instant startedAt;
    private final long intervalMs;
    private final Object poke = new Object();
    private boolean poked;
    private volatile boolean closed;
    private Thread beater;

    /**
     * @param id            this replica's id
     * @param store         where heartbeats go
     * @param access        the config in service and the store
     * @param health        this replica's health
     * @param inFlight      client API requests in flight here
     * @param sharedStateUp whether the limits' shared state is reachable
     * @param clock         epoch ms
     * @param version       the gateway's version
     * @param intervalMs    heartbeat interval
     */
    public FleetService(String id, ConsoleStore store, AdminConfigAccess access, GatewayHealth health,
                        IntSupplier inFlight, BooleanSupplier sharedStateUp, LongSupplier clock, String version,
                        long intervalMs) {
        this.id = id;
        this.store = store;
        this.access = access;
        this.health = health;
        this.inFlight = inFlight;
        this.sharedStateUp = sharedStateUp;
        this.clock = clock;
        this.version = version;
        this.startedAt = Instant.ofEpochMilli(clock.getAsLong());
        this.intervalMs = intervalMs;
    }

    /**
     * @return an id for this process: the host name (a container's is unique) and the process id
     */
    public static String replicaId() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "localhost";
            }
        }
        host = host.replaceAll("[^A-Za-z0-9._-]", "_");
        return (host.length() > 48 ? host.substring(0, 48) : host) + "-" + ProcessHandle.current().pid();
    }

    /** Starts heartbeating (at once, then every interval). */
    public synchronized void start() {
        if (beater == null) {
            beater = Thread.ofVirtual().name("fleet-heartbeat").start(this::loop);
        }
    }

    /** Sends a heartbeat soon (the config changed). */
    public void beatSoon() {
        synchronized (poke) {
            poked = true;
            poke.notifyAll();
        }
    }

    private void loop() {
        while (!closed) {
            try {
                store.beat(id, self().toString(), intervalMs * TTL_INTERVALS);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "heartbeat failed", e);
            }
            synchronized (poke) {
                try {
                    if (!poked && !closed) {
                        poke.wait(intervalMs);
                    }
                } catch (InterruptedException e) {
                    return;
                }
                poked = false;
            }
        }
    }

    /** Stops heartbeating and takes this replica off the list at once (a heartbeat that lives 1 ms). */
    @Override
    public void close() {
        closed = true;
        beatSoon();
        Thread t;
        synchronized (this) {
            t = beater;
        }
        if (t != null) {
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            store.beat(id, self().toString(), 1);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "last heartbeat failed", e);
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/fleet", this::list);
    }

    private void list(ServerRequest req, ServerResponse res) {
        String storeEtag = null;
        String storeError = null;
        try {
            storeEtag = access.store().read().etag();
        } catch (RuntimeException e) {
            storeError = e.getMessage();
        }
        ObjectNode out = view(storeEtag);
        if (storeError != null) {
            out.put("storeError", storeError);
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(out.toString());
    }

    /** @return this replica's heartbeat, as of now */
    ObjectNode self() {
        long now = clock.getAsLong();
        ConfigSnapshot s = access.current();
        ObjectNode o = mapper.createObjectNode();
        o.put("id", id);
        o.put("version", version);
        o.put("startedAt", startedAt.toString());
        o.put("uptimeSeconds", Math.max(0, (now - startedAt.toEpochMilli()) / 1000));
        o.put("beatAt", Instant.ofEpochMilli(now).toString());
        ObjectNode cfg = o.putObject("config");
        cfg.put("etag", s.etag());
        cfg.put("loadedAt", s.loadedAt().toString());
        access.lastRejected().ifPresentOrElse(r -> {
            ObjectNode p = o.putObject("lastReloadProblem");
            p.put("etag", r.etag());
            p.put("at", r.at().toString());
            p.set("problems", AdminErrors.problems(mapper, r.problems()));
        }, () -> o.putNull("lastReloadProblem"));
        o.put("inFlight", inFlight.getAsInt());
        boolean up = sharedStateUp.getAsBoolean();
        o.put("sharedStateUp", up);
        o.set("health", mapper.valueToTree(GatewayHealth.evaluate(health.counts(), !"none".equals(s.etag()), up)));
        return o;
    }

    /**
     * @param storeEtag the version the config store holds now, or null when it cannot be read
     * @return the fleet view
     */
    ObjectNode view(String storeEtag) {
        long now = clock.getAsLong();
        ObjectNode out = mapper.createObjectNode();
        out.put("mode", store.mode());
        out.put("sharedUp", store.up());
        out.put("self", id);
        out.put("now", Instant.ofEpochMilli(now).toString());
        out.put("intervalMs", intervalMs);
        if (storeEtag == null) {
            out.putNull("storeEtag");
        } else {
            out.put("storeEtag", storeEtag);
        }
        List<ObjectNode> replicas = new ArrayList<>();
        replicas.add(self());
        Map<String, String> beats;
        try {
            beats = store.replicas();
        } catch (RuntimeException e) {
            beats = Map.of();
        }
        beats.forEach((rid, json) -> {
            if (rid.equals(id)) {
                return;
            }
            try {
                JsonNode n = mapper.readTree(json);
                if (n instanceof ObjectNode o) {
                    replicas.add(o);
                }
            } catch (java.io.IOException e) {
                // a torn or foreign value: not a replica
            }
        });
        replicas.sort((a, b) -> a.path("id").asText().compareTo(b.path("id").asText()));
        ArrayNode list = out.putArray("replicas");
        GatewayHealth.Counts sum = new GatewayHealth.Counts(0, 0, 0, 0);
        boolean allConfigured = true;
        boolean allShared = true;
        int lagging = 0;
        for (ObjectNode r : replicas) {
            long beatAt = parse(r.path("beatAt").asText(), now);
            long age = Math.max(0, now - beatAt);
            boolean silent = age > intervalMs * SILENT_INTERVALS;
            String etag = r.path("config").path("etag").asText();
            boolean current = storeEtag == null || storeEtag.equals(etag);
            r.put("self", r.path("id").asText().equals(id));
            r.put("ageMs", age);
            r.put("silent", silent);
            r.put("configCurrent", current);
            if (!current) {
                lagging++;
            }
            JsonNode c = r.path("health").path("counts");
            sum = sum.plus(new GatewayHealth.Counts(c.path("requests").asLong(), c.path("gatewayErrors").asLong(),
                    c.path("clientErrors").asLong(), c.path("upstreamFailures").asLong()));
            allConfigured &= !"none".equals(etag);
            allShared &= r.path("sharedStateUp").asBoolean(true);
            list.add(r);
        }
        out.put("lagging", lagging);
        out.set("health", mapper.valueToTree(GatewayHealth.evaluate(sum, allConfigured, allShared)));
        return out;
    }

    private static long parse(String instant, long fallback) {
        try {
            return Instant.parse(instant).toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            return fallback;
        }
    }
}
