package io.genway.schemas;

import java.util.List;
import java.util.Objects;

/**
 * A job's whole state, published on the compacted {@code jobs} topic keyed by job id: the latest record is the
 * job. The gateway writes the first one (queued) before the request reaches a worker; from then on the worker
 * running it writes every change, so there is one writer at a time.
 */
public record JobState(
        String jobId,
        String owner,
        RequestKind kind,
        String pool,
        String model,
        JobStatus status,
        long createdAtMs,
        long updatedAtMs,
        int attempt,
        int step,
        int steps,
        int queuePosition,
        long etaMs,
        EventsPosition events,
        List<ResultRef> results,
        FinishReason finishReason,
        Usage usage,
        Timings timings,
        ErrorInfo error) {

    public JobState {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(status, "status");
        owner = owner == null ? "" : owner;
        results = results == null ? List.of() : List.copyOf(results);
    }

    public static JobState queued(GenerationRequest request, long nowMs, long etaMs) {
        int steps = request.image() == null ? 0 : request.image().steps();
        return new JobState(request.requestId(), request.owner(), request.kind(), request.pool(), request.model(),
                JobStatus.QUEUED, request.createdAtMs(), nowMs, 0, 0, steps, request.queuePosition(), etaMs,
                request.events(), List.of(), null, null, null, null);
    }

    public JobState withStatus(JobStatus newStatus, long nowMs) {
        return new JobState(jobId, owner, kind, pool, model, newStatus, createdAtMs, nowMs, attempt, step, steps,
                queuePosition, etaMs, events, results, finishReason, usage, timings, error);
    }

    public JobState running(int newAttempt, long nowMs) {
        return new JobState(jobId, owner, kind, pool, model, JobStatus.RUNNING, createdAtMs, nowMs, newAttempt, 0, steps,
                queuePosition, etaMs, events, List.of(), null, null, null, null);
    }

    public JobState progressed(int newStep, int newSteps, long nowMs) {
        return new JobState(jobId, owner, kind, pool, model, status, createdAtMs, nowMs, attempt, newStep, newSteps,
                queuePosition, etaMs, events, results, finishReason, usage, timings, error);
    }

    public JobState completed(List<ResultRef> newResults, FinishReason reason, Usage newUsage, Timings newTimings, long nowMs) {
        return new JobState(jobId, owner, kind, pool, model, JobStatus.COMPLETED, createdAtMs, nowMs, attempt,
                steps == 0 ? step : steps, steps, queuePosition, etaMs, events, newResults, reason, newUsage, newTimings, null);
    }

    public JobState failed(ErrorInfo newError, long nowMs) {
        return new JobState(jobId, owner, kind, pool, model, JobStatus.FAILED, createdAtMs, nowMs, attempt, step, steps,
                queuePosition, etaMs, events, results, null, usage, timings, newError);
    }
}
