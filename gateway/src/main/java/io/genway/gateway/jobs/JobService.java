package io.genway.gateway.jobs;

import io.genway.gateway.kafka.Publisher;
import io.genway.schemas.Cancel;
import io.genway.schemas.EventsPosition;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.JobState;
import io.genway.schemas.JobStatus;
import io.genway.schemas.StreamEvent;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;

/**
 * Accepting and cancelling jobs, in the order that keeps the job view and the event log consistent: the queued
 * event first (its offset is where the job's events begin), then the job's first state, then the request; only
 * when all three are acknowledged is the job accepted. A worker can therefore never write a state before the
 * gateway's first one.
 */
public final class JobService {
    /** How often {@link #settled} looks at the job view again. */
    private static final long SETTLE_POLL_MS = 10;
    private final Vertx vertx;
    private final Publisher publisher;
    private final JobView view;
    private final InstantSource clock;

    public JobService(Vertx vertx, Publisher publisher, JobView view, InstantSource clock) {
        this.vertx = vertx;
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

    public Optional<JobState> find(String jobId) {
        return view.get(jobId);
    }

    /**
     * The job's state once the view shows it ended, for a caller that has seen its terminal event: workers make the
     * final state durable before that event, so the view is at most its consumer's lag behind. After {@code atMost}
     * the latest state the view has, ended or not.
     */
    public Future<Optional<JobState>> settled(String jobId, Duration atMost) {
        Promise<Optional<JobState>> settled = Promise.promise();
        long giveUpAt = System.nanoTime() + atMost.toNanos();
        Handler<Long> look = new Handler<>() {
            @Override
            public void handle(Long timer) {
                Optional<JobState> job = view.get(jobId);
                if (job.map(j -> j.status().terminal()).orElse(false) || System.nanoTime() - giveUpAt >= 0) {
                    settled.complete(job);
                } else {
                    vertx.setTimer(SETTLE_POLL_MS, this);
                }
            }
        };
        look.handle(0L);
        return settled.future();
    }
}
