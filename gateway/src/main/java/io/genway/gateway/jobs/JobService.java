package io.genway.gateway.jobs;

import io.genway.gateway.kafka.Publisher;
import io.genway.schemas.Cancel;
import io.genway.schemas.EventsPosition;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.JobState;
import io.genway.schemas.JobStatus;
import io.genway.schemas.StreamEvent;
import io.vertx.core.Future;
import java.time.InstantSource;

/**
 * Accepting and cancelling jobs, in the order that keeps the job view and the event log consistent: the queued
 * event first (its offset is where the job's events begin), then the job's first state, then the request; only
 * when all three are acknowledged is the job accepted. A worker can therefore never write a state before the
 * gateway's first one.
 */
public final class JobService {
    private final Publisher publisher;
    private final JobView view;
    private final InstantSource clock;

    public JobService(Publisher publisher, JobView view, InstantSource clock) {
        this.publisher = publisher;
        this.view = view;
        this.clock = clock;
    }

    /** Durably accepts the job; {@code request} has no events position yet. */
    public Future<JobState> accept(GenerationRequest request, long etaMs) {
        StreamEvent.Queued queued = new StreamEvent.Queued(request.requestId(), 0, 0, clock.millis(), request.queuePosition(), etaMs);
        return publisher.event(queued).compose(md -> {
            EventsPosition position = new EventsPosition(md.partition(), md.offset());
            GenerationRequest placed = new GenerationRequest(request.requestId(), request.kind(), true, request.pool(),
                    request.model(), request.text(), request.image(), request.seed(), request.createdAtMs(),
                    request.deadlineAtMs(), request.owner(), request.continueOnDisconnect(), position, request.queuePosition());
            JobState state = JobState.queued(placed, clock.millis(), etaMs);
            return publisher.job(state)
                    .compose(v -> publisher.request(placed))
                    .map(v -> {
                        view.wrote(state);
                        return state;
                    });
        });
    }

    /**
     * Cancels a job. A queued one is marked cancelled here at once (the worker that later fetches it skips it); a
     * running one is asked to stop and its worker records the end. A finished job is left as it is.
     */
    public Future<JobState> cancel(JobState job, String reason) {
        if (job.status().terminal()) return Future.succeededFuture(job);
        Future<?> broadcast = publisher.cancel(new Cancel(job.jobId(), reason, clock.millis()));
        if (job.status() != JobStatus.QUEUED) return broadcast.map(v -> job);
        JobState cancelled = job.withStatus(JobStatus.CANCELLED, clock.millis());
        return broadcast
                .compose(v -> publisher.event(new StreamEvent.Cancelled(job.jobId(), job.attempt(), 1, clock.millis(), reason)))
                .compose(v -> publisher.job(cancelled))
                .map(v -> {
                    view.wrote(cancelled);
                    return cancelled;
                });
    }

    public java.util.Optional<JobState> find(String jobId) {
        return view.get(jobId);
    }
}
