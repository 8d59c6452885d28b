package io.genway.llm.llama;

/**
 * One request's measured path through the engine, in milliseconds.
 *
 * @param queueMs        submitted until admitted to the batch (waiting for a slot or for KV blocks)
 * @param prefillMs      admitted until its prompt was computed (shared steps with other streams included)
 * @param firstTokenMs   submitted until its first token was sampled (time to first token)
 * @param perOutputMs    mean time between output tokens after the first; 0 with fewer than two tokens
 * @param promptTokens   prompt length
 * @param outputTokens   tokens generated
 */
public record RequestTimings(String requestId, double queueMs, double prefillMs, double firstTokenMs, double perOutputMs,
                             int promptTokens, int outputTokens) {
}
