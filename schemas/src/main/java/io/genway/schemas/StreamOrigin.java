package io.genway.schemas;

/**
 * Who opened a streamed request and how its stream is presented: what a gateway that never saw the request needs
 * to resume it for its client.
 *
 * @param owner                the owner's key digest (only the owner may resume)
 * @param kind                 chat or completion, which decides the chunk format
 * @param pool                 the pool serving it, for metrics
 * @param model                the model name the chunks report
 * @param createdAtMs          when it was accepted; the chunks' {@code created}
 * @param includeUsage         whether the stream ends with a usage chunk
 * @param continueOnDisconnect whether the work goes on when the client goes away
 */
public record StreamOrigin(String owner, RequestKind kind, String pool, String model, long createdAtMs,
                           boolean includeUsage, boolean continueOnDisconnect) {
}
