package io.genway.schemas;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * What happens to a request, as published on {@code events} keyed by request id.
 *
 * <p>{@code seq} numbers the request's output: a worker's content events (tokens, progress, image, terminal) take
 * 1, 2, 3, ... and a retried attempt with the same seed produces the same numbers, so a reader forwards each
 * {@code seq} once and sees one unbroken stream across attempts. Events that carry no output ({@link Queued},
 * {@link Started}) repeat the last content {@code seq} rather than advancing it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = StreamEvent.Queued.class, name = "queued"),
        @JsonSubTypes.Type(value = StreamEvent.Started.class, name = "started"),
        @JsonSubTypes.Type(value = StreamEvent.Tokens.class, name = "tokens"),
        @JsonSubTypes.Type(value = StreamEvent.Progress.class, name = "progress"),
        @JsonSubTypes.Type(value = StreamEvent.ImageReady.class, name = "image_ready"),
        @JsonSubTypes.Type(value = StreamEvent.Completed.class, name = "completed"),
        @JsonSubTypes.Type(value = StreamEvent.Failed.class, name = "failed"),
        @JsonSubTypes.Type(value = StreamEvent.Cancelled.class, name = "cancelled"),
})
public sealed interface StreamEvent {

    String requestId();

    int attempt();

    long seq();

    long atMs();

    /** True for the events after which a request produces nothing more. */
    default boolean terminal() {
        return this instanceof Completed || this instanceof Failed || this instanceof Cancelled;
    }

    /** True for events that carry output and so advance {@code seq}. */
    default boolean content() {
        return !(this instanceof Queued || this instanceof Started);
    }

    /**
     * Accepted by Kafka and waiting; {@code position} counts requests ahead of it in its pool. The first event of
     * a request: a streamed request's {@code origin} says whose it is and how it is presented, so that any gateway
     * can resume the stream from the log alone (null for jobs, whose job state says the same).
     */
    record Queued(String requestId, int attempt, long seq, long atMs, int position, long etaMs, StreamOrigin origin)
            implements StreamEvent {
        public Queued(String requestId, int attempt, long seq, long atMs, int position, long etaMs) {
            this(requestId, attempt, seq, atMs, position, etaMs, null);
        }
    }

    record Started(String requestId, int attempt, long seq, long atMs, String worker) implements StreamEvent {}

    /** One or more tokens; {@code text} is whole UTF-8 characters only, {@code ids} the token ids when known. */
    record Tokens(String requestId, int attempt, long seq, long atMs, String text, List<Integer> ids) implements StreamEvent {
        public Tokens {
            ids = ids == null ? List.of() : List.copyOf(ids);
        }
    }

    /** Denoising step {@code step} of {@code of} done; {@code preview} is a small PNG when the client asked. */
    record Progress(String requestId, int attempt, long seq, long atMs, int step, int of, byte[] preview) implements StreamEvent {}

    record ImageReady(String requestId, int attempt, long seq, long atMs, int index, ResultRef ref) implements StreamEvent {}

    record Completed(String requestId, int attempt, long seq, long atMs, FinishReason finishReason, Usage usage, Timings timings) implements StreamEvent {}

    record Failed(String requestId, int attempt, long seq, long atMs, ErrorInfo error, boolean retriable) implements StreamEvent {}

    record Cancelled(String requestId, int attempt, long seq, long atMs, String reason) implements StreamEvent {}
}
