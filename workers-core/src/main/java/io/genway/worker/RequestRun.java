package io.genway.worker;

import io.genway.schemas.ErrorInfo;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.JobState;
import io.genway.schemas.JobStatus;
import io.genway.schemas.Json;
import io.genway.schemas.Modality;
import io.genway.schemas.ResultRef;
import io.genway.schemas.StreamEvent;
import io.genway.schemas.Timings;
import io.genway.worker.engine.CancelToken;
import io.genway.worker.engine.Engine;
import io.genway.worker.engine.EngineException;
import io.genway.worker.engine.Outcome;
import io.genway.worker.engine.Output;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * One attempt at one request: turns the engine's output into numbered events, keeps the job's state, and decides
 * what becomes of the request record. Runs on its lane's thread; the engine may call {@link Output} from its own.
 */
final class RequestRun implements Output {

    /** What the lane does with the record once the run is over. */
    enum Disposition { ACCEPT, RELEASE }

    private static final long JOB_PROGRESS_EVERY_MS = 200;

    private final GenerationRequest request;
    private final int attempt;
    private final int deliveryLimit;
    private final String workerId;
    private final EventWriter writer;
    private final InstantSource clock;
    private final CancelToken cancel = new CancelToken();
    private final StringBuilder text = new StringBuilder();
    private final List<ResultRef> results = new ArrayList<>();
    private final List<CompletableFuture<?>> pending = new ArrayList<>();

    private volatile boolean handBack;
    private boolean reproducible = true;
    private JobState job;
    private long seq;
    private long startedAtMs;
    private long firstOutputAtMs;
    private long lastOutputAtMs;
    private int outputs;
    private long lastJobWriteMs;

    RequestRun(GenerationRequest request, int attempt, int deliveryLimit, String workerId, EventWriter writer, InstantSource clock) {
        this.request = request;
        this.attempt = attempt;
        this.deliveryLimit = deliveryLimit;
        this.workerId = workerId;
        this.writer = writer;
        this.clock = clock;
        this.job = request.job() ? JobState.queued(request, request.createdAtMs(), 0) : null;
    }

    CancelToken cancelToken() {
        return cancel;
    }

    /** Stops the run and gives the request back to the queue for another worker (a stopping worker's drain ran out). */
    void handBack() {
        handBack = true;
        cancel.cancel("worker stopping");
    }

    /** Skips a request cancelled before it started: no engine time is spent on it. */
    Disposition skipCancelled() throws InterruptedException {
        finish(new StreamEvent.Cancelled(request.requestId(), attempt, seq + 1, now(), "cancelled before start"),
                job == null ? null : job.withStatus(JobStatus.CANCELLED, now()));
        return Disposition.ACCEPT;
    }

    /** Expires a request whose deadline passed while it waited. */
    Disposition expire() throws InterruptedException {
        ErrorInfo error = new ErrorInfo("timeout_error", "the request's deadline passed before a worker could start it", "deadline_exceeded");
        finish(new StreamEvent.Failed(request.requestId(), attempt, seq + 1, now(), error, false),
                job == null ? null : job.failed(error, now()));
        return Disposition.ACCEPT;
    }

    /** Runs the request to its end and returns once every event it wrote is acknowledged by Kafka. */
    Disposition run(Engine engine, ProfileMeter profile) throws InterruptedException {
        reproducible = engine.info().reproducible();
        startedAtMs = now();
        pending.add(writer.event(new StreamEvent.Started(request.requestId(), attempt, 0, startedAtMs, workerId)));
        if (job != null) {
            job = job.running(attempt, startedAtMs);
            pending.add(writer.job(job));
        }
        Outcome outcome;
        try {
            outcome = engine.run(request, this, cancel).get();
        } catch (ExecutionException e) {
            return failed(e.getCause() instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : e.getCause());
        } catch (RuntimeException e) {
            return failed(e);
        }
        long end = now();
        if (handBack) {
            awaitAll();
            return Disposition.RELEASE;
        }
        if (outcome.wasCancelled() || cancel.cancelled()) {
            String reason = cancel.reason() == null ? "cancelled" : cancel.reason();
            finish(new StreamEvent.Cancelled(request.requestId(), attempt, seq + 1, end, reason),
                    job == null ? null : job.withStatus(JobStatus.CANCELLED, end));
            return Disposition.ACCEPT;
        }
        Timings timings = timings(end);
        if (job != null && request.modality() == Modality.TEXT) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("text", text.toString());
            body.put("finish_reason", outcome.finishReason().wire());
            body.put("usage", outcome.usage());
            results.add(await(writer.result(request.requestId(), Json.write(body), "application/json")));
        }
        finish(new StreamEvent.Completed(request.requestId(), attempt, seq + 1, end, outcome.finishReason(), outcome.usage(), timings),
                job == null ? null : job.completed(results, outcome.finishReason(), outcome.usage(), timings, end));
        profile.record(timings.firstOutputMs(), timings.perOutputMs(), timings.totalMs(), end);
        return Disposition.ACCEPT;
    }

    private Disposition failed(Throwable error) throws InterruptedException {
        // Kafka, not the engine, failed: the lane hands the request back rather than report it failed.
        if (error instanceof KafkaWriteException kafka) throw kafka;
        boolean retriable = error instanceof EngineException ee && ee.retriable();
        // A retry repeats the output a client already has only if the engine reproduces it from the seed.
        boolean retryContinuesStream = outputs == 0 || reproducible;
        if (handBack || (retriable && retryContinuesStream && !cancel.cancelled() && attempt < deliveryLimit)) {
            awaitAll();
            return Disposition.RELEASE;
        }
        String code = error instanceof EngineException ee ? ee.code() : "engine_error";
        String type = error instanceof EngineException.Fatal ? "invalid_request_error" : "server_error";
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        ErrorInfo info = new ErrorInfo(type, message, code);
        finish(new StreamEvent.Failed(request.requestId(), attempt, seq + 1, now(), info, retriable),
                job == null ? null : job.failed(info, now()));
        return Disposition.ACCEPT;
    }

    @Override
    public void tokens(String chunk, List<Integer> ids) {
        long at = markOutput();
        if (job != null) text.append(chunk);
        track(writer.event(new StreamEvent.Tokens(request.requestId(), attempt, ++seq, at, chunk, ids)));
    }

    @Override
    public void progress(int step, int of, byte[] previewPng) {
        long at = markOutput();
        track(writer.event(new StreamEvent.Progress(request.requestId(), attempt, ++seq, at, step, of, previewPng)));
        if (job != null && (step == of || at - lastJobWriteMs >= JOB_PROGRESS_EVERY_MS)) {
            lastJobWriteMs = at;
            job = job.progressed(step, of, at);
            pending.add(writer.job(job));
        }
    }

    @Override
    public void result(int index, byte[] bytes, String contentType) {
        String key = request.requestId() + "/" + index;
        ResultRef ref;
        try {
            ref = await(writer.result(key, bytes, contentType));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException.Retriable("interrupted", "interrupted while storing a result", e);
        }
        results.add(ref);
        pending.add(writer.event(new StreamEvent.ImageReady(request.requestId(), attempt, ++seq, now(), index, ref)));
    }

    /** Keeps the writes still in flight; a long stream drops the acknowledged ones so the list stays short. */
    private void track(CompletableFuture<?> write) {
        pending.add(write);
        if (pending.size() > 256) pending.removeIf(f -> f.isDone() && !f.isCompletedExceptionally());
    }

    private long markOutput() {
        long at = now();
        if (outputs++ == 0) firstOutputAtMs = at;
        lastOutputAtMs = at;
        return at;
    }

    private Timings timings(long end) {
        double queue = Math.max(0, startedAtMs - request.createdAtMs());
        double first = outputs == 0 ? 0 : firstOutputAtMs - startedAtMs;
        double per = outputs < 2 ? 0 : (double) (lastOutputAtMs - firstOutputAtMs) / (outputs - 1);
        return new Timings(queue, first, per, end - startedAtMs);
    }

    /**
     * The job's final state is durable before its terminal event is written, so whoever sees the event (a gateway
     * answering with result URLs, a client following the job's events) can at once read the state that names the
     * results from the job table.
     */
    private void finish(StreamEvent terminal, JobState finalState) throws InterruptedException {
        if (finalState != null) {
            job = finalState;
            pending.add(writer.job(finalState));
            awaitAll();
        }
        pending.add(writer.event(terminal));
        awaitAll();
    }

    private void awaitAll() throws InterruptedException {
        for (CompletableFuture<?> f : pending) await(f);
        pending.clear();
    }

    private static <T> T await(CompletableFuture<T> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new KafkaWriteException(e.getCause());
        }
    }

    private long now() {
        return clock.millis();
    }

    /** A write to Kafka failed for good: the lane hands the request back rather than claim it is done. */
    static final class KafkaWriteException extends RuntimeException {
        KafkaWriteException(Throwable cause) {
            super("cannot write to Kafka: " + cause.getMessage(), cause);
        }
    }

}
