package com.aoaigw.proxy.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import com.sun.net.httpserver.HttpServer;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * A minimal OTLP/HTTP (protobuf) receiver on a loopback port: keeps every raw request body (for the "no secret
 * anywhere" search) and decodes the spans and metric names.
 */
final class OtlpReceiver implements AutoCloseable {
    private final HttpServer server;
    private final List<byte[]> raw = new ArrayList<>();
    private final List<Span> spans = new ArrayList<>();
    private final List<String> metricNames = new ArrayList<>();
    private final List<String> serviceNames = new ArrayList<>();

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/traces", ex -> {
            byte[] body = body(ex.getRequestBody(), "gzip".equals(ex.getRequestHeaders().getFirst("content-encoding")));
            ExportTraceServiceRequest req = ExportTraceServiceRequest.parseFrom(body);
            synchronized (this) {
                raw.add(body);
                for (ResourceSpans rs : req.getResourceSpansList()) {
                    for (KeyValue kv : rs.getResource().getAttributesList()) {
                        if (kv.getKey().equals("service.name")) {
                            serviceNames.add(kv.getValue().getStringValue());
                        }
                    }
                    for (ScopeSpans ss : rs.getScopeSpansList()) {
                        spans.addAll(ss.getSpansList());
                    }
                }
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.createContext("/v1/metrics", ex -> {
            byte[] body = body(ex.getRequestBody(), "gzip".equals(ex.getRequestHeaders().getFirst("content-encoding")));
            ExportMetricsServiceRequest req = ExportMetricsServiceRequest.parseFrom(body);
            synchronized (this) {
                raw.add(body);
                req.getResourceMetricsList().forEach(rm -> rm.getScopeMetricsList().forEach(sm -> sm.getMetricsList()
                        .forEach(m -> metricNames.add(m.getName()))));
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
    }

    private static byte[] body(InputStream in, boolean gzip) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        (gzip ? new GZIPInputStream(in) : in).transferTo(out);
        return out.toByteArray();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    synchronized List<Span> spans() {
        return List.copyOf(spans);
    }

    synchronized List<String> metricNames() {
        return List.copyOf(metricNames);
    }

    synchronized List<String> serviceNames() {
        return List.copyOf(serviceNames);
    }

    /** @return every body received, concatenated */
    synchronized byte[] allBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        raw.forEach(out::writeBytes);
        return out.toByteArray();
    }

    static String attr(Span span, String key) {
        for (KeyValue kv : span.getAttributesList()) {
            if (kv.getKey().equals(key)) {
                AnyValue v = kv.getValue();
                return switch (v.getValueCase()) {
                    case STRING_VALUE -> v.getStringValue();
                    case INT_VALUE -> Long.toString(v.getIntValue());
                    case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
                    case ARRAY_VALUE -> v.getArrayValue().getValuesList().stream().map(AnyValue::getStringValue)
                            .toList().toString();
                    default -> v.toString();
                };
            }
        }
        return null;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
