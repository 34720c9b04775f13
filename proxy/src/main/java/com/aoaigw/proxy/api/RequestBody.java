package com.aoaigw.proxy.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.aoaigw.proxy.error.ProxyException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * What the proxy needs from a request body, read with a streaming parser (no tree): {@code model},
 * {@code stream} and {@code stream_options.include_usage}, plus the byte range of the {@code model} value so it
 * can be replaced without re-serialising the body. The whole body is still checked to be well-formed JSON.
 *
 * @param body         the body
 * @param model        the {@code model} string, or null when absent or not a string
 * @param modelStart   byte offset of the model value token (its opening quote), or -1
 * @param modelEnd     byte offset just past the model value token, or -1
 * @param stream       true when {@code "stream": true}
 * @param streamOptions true when a {@code stream_options} member exists
 * @param includeUsage true when {@code stream_options.include_usage} is {@code true}
 * @param objectStart  byte offset of the opening brace of the top-level object
 */
public record RequestBody(byte[] body, String model, int modelStart, int modelEnd, boolean stream,
                          boolean streamOptions, boolean includeUsage, int objectStart) {

    /**
     * @param body the body bytes
     * @param json the shared JSON factory
     * @return what was found
     * @throws ProxyException.InvalidRequest when the body is not a JSON object
     */
    public static RequestBody scan(byte[] body, JsonFactory json) {
        String model = null;
        int mStart = -1;
        int mEnd = -1;
        boolean stream = false;
        boolean streamOptions = false;
        boolean includeUsage = false;
        int objStart;
        if (!validUtf8(body)) {
            // Jackson decodes overlong forms (C0 AF is '/') and surrogates without complaint: what the proxy reads
            // and what Azure reads must be the same characters, so only well-formed UTF-8 passes
            throw new ProxyException.InvalidRequest(null, "invalid_json",
                    "The request body is not valid UTF-8.");
        }
        boolean seenModel = false;
        boolean seenStream = false;
        try (JsonParser p = json.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ProxyException.InvalidRequest(null, "invalid_json",
                        "The request body must be a JSON object.");
            }
            objStart = (int) p.currentTokenLocation().getByteOffset();
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "model" -> {
                        seenModel = duplicate(seenModel, name);
                        if (v == JsonToken.VALUE_STRING) {
                            mStart = (int) p.currentTokenLocation().getByteOffset();
                            model = p.getText();
                            // the token ends where the parser stands after reading it
                            mEnd = (int) p.currentLocation().getByteOffset();
                        } else {
                            p.skipChildren();
                        }
                    }
                    case "stream" -> {
                        seenStream = duplicate(seenStream, name);
                        stream = v == JsonToken.VALUE_TRUE;
                        p.skipChildren();
                    }
                    case "stream_options" -> {
                        streamOptions = true;
                        if (v == JsonToken.START_OBJECT) {
                            JsonToken s;
                            while ((s = p.nextToken()) == JsonToken.FIELD_NAME) {
                                String n = p.currentName();
                                JsonToken sv = p.nextToken();
                                if (n.equals("include_usage")) {
                                    includeUsage = sv == JsonToken.VALUE_TRUE;
                                }
                                p.skipChildren();
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new ProxyException.InvalidRequest(null, "invalid_json", "The request body is not valid JSON.");
            }
        } catch (JsonProcessingException e) {
            throw new ProxyException.InvalidRequest(null, "invalid_json",
                    "The request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ProxyException.InvalidRequest(null, "invalid_json", "The request body could not be read.");
        }
        return new RequestBody(body, model, mStart, mEnd, stream, streamOptions, includeUsage, objStart);
    }

    /**
     * A key the proxy acts on may appear once: with two, the proxy would act on one value (the last) while another
     * parser (Azure's) might take the first, so the two could disagree on the model or on streaming.
     */
    private static boolean duplicate(boolean seen, String name) {
        if (seen) {
            throw new ProxyException.InvalidRequest(name, "duplicate_key",
                    "The request body has more than one `" + name + "` key.");
        }
        return true;
    }

    /**
     * Strict UTF-8 (RFC 3629): no overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no stray or
     * missing continuation bytes.
     *
     * @param b the bytes
     * @return true when well-formed
     */
    static boolean validUtf8(byte[] b) {
        int i = 0;
        int n = b.length;
        while (i < n) {
            int c = b[i];
            if (c >= 0) {
                i++;
                continue;
            }
            c &= 0xff;
            int need;
            int lo = 0x80;
            int hi = 0xbf;
            if (c >= 0xc2 && c <= 0xdf) {
                need = 1;
            } else if (c >= 0xe0 && c <= 0xef) {
                need = 2;
                if (c == 0xe0) {
                    lo = 0xa0; // below: overlong
                } else if (c == 0xed) {
                    hi = 0x9f; // above: surrogates
                }
            } else if (c >= 0xf0 && c <= 0xf4) {
                need = 3;
                if (c == 0xf0) {
                    lo = 0x90; // below: overlong
                } else if (c == 0xf4) {
                    hi = 0x8f; // above: beyond U+10FFFF
                }
            } else {
                return false; // continuation byte without a lead, C0/C1 (overlong), F5..FF
            }
            if (i + need >= n) {
                return false;
            }
            int second = b[i + 1] & 0xff;
            if (second < lo || second > hi) {
                return false;
            }
            for (int k = 2; k <= need; k++) {
                int cont = b[i + k] & 0xff;
                if (cont < 0x80 || cont > 0xbf) {
                    return false;
                }
            }
            i += need + 1;
        }
        return true;
    }

    /**
     * The body with {@code model} set to another value, spliced at the byte level; when {@code addUsage} is set,
     * {@code "stream_options":{"include_usage":true}} is inserted too (only valid when there was no
     * {@code stream_options} member).
     *
     * @param newModel the deployment name
     * @param addUsage whether to insert stream_options
     * @return the new body
     */
    public byte[] withModel(String newModel, boolean addUsage) {
        byte[] quoted = quote(newModel);
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + quoted.length + 48);
        int afterBrace = objectStart + 1;
        out.write(body, 0, afterBrace);
        StringBuilder insert = new StringBuilder();
        if (addUsage) {
            insert.append("\"stream_options\":{\"include_usage\":true}");
        }
        if (modelStart < 0) {
            if (!insert.isEmpty()) {
                insert.append(',');
            }
            insert.append("\"model\":").append(new String(quoted, StandardCharsets.UTF_8));
        }
        if (!insert.isEmpty()) {
            out.writeBytes(insert.toString().getBytes(StandardCharsets.UTF_8));
            if (!emptyObject(afterBrace)) {
                out.write(',');
            }
        }
        if (modelStart >= 0) {
            out.write(body, afterBrace, modelStart - afterBrace);
            out.writeBytes(quoted);
            out.write(body, modelEnd, body.length - modelEnd);
        } else {
            out.write(body, afterBrace, body.length - afterBrace);
        }
        return out.toByteArray();
    }

    private boolean emptyObject(int from) {
        for (int i = from; i < body.length; i++) {
            byte b = body[i];
            if (b == '}') {
                return true;
            }
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    private static byte[] quote(String s) {
        byte[] inner = JsonStringEncoder.getInstance().quoteAsUTF8(s);
        byte[] q = new byte[inner.length + 2];
        q[0] = '"';
        System.arraycopy(inner, 0, q, 1, inner.length);
        q[q.length - 1] = '"';
        return q;
    }
}
