package io.genway.llm.remote;

import io.genway.schemas.RequestKind;
import io.genway.worker.engine.CancelToken;
import io.genway.worker.engine.EngineException;
import io.genway.worker.engine.Outcome;
import io.genway.worker.engine.Output;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One relayed run: sends the request, reads the event stream on one reader thread (so {@link Output} calls never
 * overlap), and ends the exchange early when the run is cancelled or the upstream goes quiet for the idle timeout.
 *
 * <p>Ending early works the same before and after the response headers: cancelling the response future aborts an
 * exchange still waiting for headers, closing the body stream aborts one being read; either way the reader sees
 * the exchange fail and then looks at why (cancel, idle) before it reports an upstream failure.
 */
final class UpstreamCall {
    /** An error body larger than this is cut: its message is all we want. */
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final HttpClient client;
    private final HttpRequest request;
    private final RequestKind kind;
    private final Output output;
    private final CancelToken cancel;
    private final Duration idleTimeout;
    private final ExecutorService readers;
    private final ScheduledExecutorService watchdog;
    private final CompletableFuture<Outcome> done = new CompletableFuture<>();

    private volatile CompletableFuture<HttpResponse<InputStream>> response;
    private volatile InputStream body;
    private volatile long lastHeardNanos;
    private volatile boolean idle;
    private volatile boolean closed;

    UpstreamCall(HttpClient client, HttpRequest request, RequestKind kind, Output output, CancelToken cancel,
                 Duration idleTimeout, ExecutorService readers, ScheduledExecutorService watchdog) {
        this.client = client;
        this.request = request;
        this.kind = kind;
        this.output = output;
        this.cancel = cancel;
        this.idleTimeout = idleTimeout;
        this.readers = readers;
        this.watchdog = watchdog;
    }

    CompletableFuture<Outcome> start() {
        lastHeardNanos = System.nanoTime();
        CompletableFuture<HttpResponse<InputStream>> sent = client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
        response = sent;
        cancel.onCancel(this::abort);
        watchAfter(idleTimeout.toNanos());
        sent.whenCompleteAsync(this::onResponse, readers);
        return done;
    }

    private void onResponse(HttpResponse<InputStream> answer, Throwable failure) {
        if (failure != null) {
            closed = true;
            fail(failure);
            return;
        }
        InputStream in = new Heard(answer.body());
        body = in;
        // abort() may have run between the headers and the line above, and found no body to close.
        if (cancel.cancelled() || idle) closeQuietly(in);
        try (in) {
            if (answer.statusCode() != 200) {
                String text = new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
                done.completeExceptionally(UpstreamErrors.status(answer.statusCode(), text));
                return;
            }
            relay(in);
        } catch (IOException e) {
            fail(e);
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        } finally {
            closed = true;
        }
    }

    private void relay(InputStream in) throws IOException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        ChunkStream stream = new ChunkStream(kind);
        int chunks = 0;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (cancel.cancelled()) {
                done.complete(Outcome.cancelled());
                return;
            }
            String text = stream.accept(line);
            if (!text.isEmpty()) {
                output.tokens(text, List.of());
                chunks++;
            }
            if (stream.done()) break;
        }
        if (cancel.cancelled() || idle || !stream.finished()) {
            fail(new IOException("upstream closed the stream before it finished"));
            return;
        }
        String rest = stream.rest();
        if (!rest.isEmpty()) {
            output.tokens(rest, List.of());
            chunks++;
        }
        done.complete(new Outcome(stream.finishReason(), stream.usage(chunks)));
        // Reading to the end (the chunked terminator after [DONE]) hands the connection back to the client's pool.
        in.transferTo(OutputStream.nullOutputStream());
    }

    /** Settles a run whose exchange broke, by the first reason that applies: our cancel, our idle timeout, theirs. */
    private void fail(Throwable failure) {
        if (cancel.cancelled()) done.complete(Outcome.cancelled());
        else if (idle) done.completeExceptionally(UpstreamErrors.idle(request.uri(), idleTimeout));
        else done.completeExceptionally(UpstreamErrors.exchange(failure, request.uri()));
    }

    /** Runs on the cancelling thread or the watchdog: only cancels and closes, both prompt. */
    private void abort() {
        CompletableFuture<HttpResponse<InputStream>> sent = response;
        if (sent != null) sent.cancel(true);
        InputStream in = body;
        if (in != null) closeQuietly(in);
    }

    private void watch() {
        if (closed) return;
        long left = idleTimeout.toNanos() - (System.nanoTime() - lastHeardNanos);
        if (left > 0) {
            watchAfter(left);
            return;
        }
        idle = true;
        abort();
    }

    private void watchAfter(long nanos) {
        try {
            watchdog.schedule(this::watch, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException engineClosed) {
            abort();
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing is how we abort; a failure to close changes nothing for the run
        }
    }

    /** Notes when the upstream last sent a byte, for the idle watchdog. */
    private final class Heard extends FilterInputStream {
        Heard(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) lastHeardNanos = System.nanoTime();
            return b;
        }

        @Override
        public int read(byte[] bytes, int off, int len) throws IOException {
            int n = super.read(bytes, off, len);
            if (n > 0) lastHeardNanos = System.nanoTime();
            return n;
        }
    }
}
