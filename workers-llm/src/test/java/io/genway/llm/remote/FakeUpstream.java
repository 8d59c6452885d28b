package io.genway.llm.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An OpenAI-compatible server on loopback that answers every request with the script it was last given and keeps
 * what it was sent. Scripts pause on a latch that {@link #close()} releases, so no handler outlives a test.
 */
final class FakeUpstream implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One request as the upstream saw it. */
    record Seen(String path, String authorization, JsonNode body) {}

    private interface Script {
        void play(HttpExchange exchange) throws IOException, InterruptedException;
    }

    private final HttpServer server;
    private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    private final CountDownLatch disconnected = new CountDownLatch(1);
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile Script script = exchange -> answer(exchange, 500, "{\"error\":{\"message\":\"no script\"}}");

    FakeUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Streams each payload as a {@code data:} event, {@code gap} apart, then ends the response. */
    FakeUpstream streams(Duration gap, String... payloads) {
        script = exchange -> {
            OutputStream out = startStream(exchange);
            for (String payload : payloads) {
                event(out, payload);
                pause(gap);
            }
            exchange.close();
        };
        return this;
    }

    /** Streams the given raw text as the whole body: for malformed streams. */
    FakeUpstream streamsRaw(String body) {
        script = exchange -> {
            startStream(exchange).write(body.getBytes(StandardCharsets.UTF_8));
            exchange.close();
        };
        return this;
    }

    /** Streams one-word chunks {@code gap} apart until the client goes away. */
    FakeUpstream streamsEndlessly(Duration gap) {
        script = exchange -> {
            OutputStream out = startStream(exchange);
            for (int i = 0; closing.getCount() > 0; i++) {
                event(out, Chunks.chat("w" + i + " "));
                pause(gap);
            }
        };
        return this;
    }

    /** Streams the payloads, then falls silent with the connection open. */
    FakeUpstream stallsAfter(String... payloads) {
        script = exchange -> {
            OutputStream out = startStream(exchange);
            for (String payload : payloads) event(out, payload);
            closing.await();
        };
        return this;
    }

    /** Never answers: no headers, connection open. */
    FakeUpstream neverAnswers() {
        script = exchange -> closing.await();
        return this;
    }

    FakeUpstream answers(int status, String body) {
        script = exchange -> answer(exchange, status, body);
        return this;
    }

    /** The next request the upstream received, waiting a little for it. */
    Seen received() throws InterruptedException {
        Seen next = seen.poll(5, TimeUnit.SECONDS);
        if (next == null) throw new AssertionError("the upstream received no request");
        return next;
    }

    /** True once a write to a client failed because the client closed the connection. */
    boolean sawClientGoAway(Duration within) throws InterruptedException {
        return disconnected.await(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        seen.add(new Seen(exchange.getRequestURI().getPath(), exchange.getRequestHeaders().getFirst("Authorization"), MAPPER.readTree(body)));
        try {
            script.play(exchange);
        } catch (IOException e) {
            disconnected.countDown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    private static OutputStream startStream(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0); // 0: chunked, length unknown
        return exchange.getResponseBody();
    }

    private static void event(OutputStream out, String payload) throws IOException {
        out.write(("data: " + payload + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private void pause(Duration gap) throws InterruptedException {
        if (!gap.isZero()) closing.await(gap.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Chunk payloads as OpenAI-compatible servers send them. */
    static final class Chunks {
        private Chunks() {
        }

        static String chat(String content) {
            return "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
                    + quote(content) + "},\"finish_reason\":null}]}";
        }

        static String chatRole() {
            return "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}";
        }

        static String chatEnd(String finishReason) {
            return "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"" + finishReason + "\"}]}";
        }

        static String text(String text, String finishReasonOrNull) {
            return "{\"id\":\"t1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":" + quote(text)
                    + ",\"finish_reason\":" + (finishReasonOrNull == null ? "null" : "\"" + finishReasonOrNull + "\"") + "}]}";
        }

        static String usage(int prompt, int completion) {
            return "{\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion
                    + ",\"total_tokens\":" + (prompt + completion) + "}}";
        }

        static final String DONE = "[DONE]";

        private static String quote(String s) {
            try {
                return MAPPER.writeValueAsString(s);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
