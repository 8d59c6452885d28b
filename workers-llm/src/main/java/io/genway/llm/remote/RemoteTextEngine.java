package io.genway.llm.remote;

import io.genway.schemas.GenerationRequest;
import io.genway.schemas.Modality;
import io.genway.worker.engine.CancelToken;
import io.genway.worker.engine.Engine;
import io.genway.worker.engine.EngineException;
import io.genway.worker.engine.EngineInfo;
import io.genway.worker.engine.Outcome;
import io.genway.worker.engine.Output;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A transformer engine that relays each request to an OpenAI-compatible streaming server (vLLM, llama.cpp server,
 * Ollama, TGI) and passes the streamed text on as it arrives. The upstream does the batching; this engine holds
 * one HTTP/1.1 exchange per run.
 *
 * <p>Threads: the HTTP client's I/O, one virtual thread per run that reads the event stream (and alone calls
 * {@link Output}), and one shared watchdog thread for idle timeouts. Nothing blocks per token but the reader.
 *
 * <p>Failures: an upstream that cannot be reached, times out, or answers 408, 429 or 5xx fails the run
 * {@link EngineException.Retriable} ({@code upstream_unavailable}, {@code upstream_timeout}); one that answers
 * another 4xx fails it {@link EngineException.Fatal} ({@code upstream_rejected}) with the upstream's message; a
 * stream that is not OpenAI's chunk format fails it Retriable ({@code upstream_protocol}).
 */
public final class RemoteTextEngine implements Engine {
    /** How long close waits for aborted exchanges to wind down. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final RemoteEngineSettings settings;
    private final List<String> models;
    private final ExecutorService readers;
    private final ScheduledExecutorService watchdog;
    private final HttpClient client;

    public RemoteTextEngine(RemoteEngineSettings settings, List<String> models) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.models = List.copyOf(models);
        this.readers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("remote-engine-", 0).factory());
        this.watchdog = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("remote-engine-watchdog").daemon().factory());
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1) // h2c upgrade is not offered by most inference servers
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER) // a redirected POST would lose its body
                .executor(readers)
                .build();
    }

    @Override
    public EngineInfo info() {
        // Upstreams batch and schedule as they like: the same seed need not give the same tokens.
        return new EngineInfo("remote", models, settings.slots(), 0, false);
    }

    @Override
    public CompletableFuture<Outcome> run(GenerationRequest request, Output output, CancelToken cancel) {
        if (request.modality() != Modality.TEXT) {
            return CompletableFuture.failedFuture(new EngineException.Fatal("unsupported_request",
                    "the remote engine relays text requests, not " + request.modality().wireName(), null));
        }
        if (!models.contains(request.model())) {
            return CompletableFuture.failedFuture(new EngineException.Fatal("model_not_found",
                    "model " + request.model() + " is not served here; this engine serves " + models, null));
        }
        if (cancel.cancelled()) return CompletableFuture.completedFuture(Outcome.cancelled());
        HttpRequest.Builder http = HttpRequest.newBuilder(UpstreamBody.endpoint(settings.baseUrl(), request.kind()))
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(UpstreamBody.json(request, settings.upstreamModel(request.model()))));
        if (settings.apiKey() != null) http.header("Authorization", "Bearer " + settings.apiKey());
        return new UpstreamCall(client, http.build(), request.kind(), output, cancel, settings.idleTimeout(), readers, watchdog).start();
    }

    /**
     * Closes the client, aborting what is still in flight: the worker drains its runs before it closes the engine,
     * so anything left is abandoned anyway. Unlike {@link HttpClient#close()} this waits a bounded time.
     */
    @Override
    public void close() {
        client.shutdownNow();
        try {
            client.awaitTermination(CLOSE_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watchdog.shutdownNow();
        readers.shutdownNow();
    }
}
