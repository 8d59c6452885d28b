package io.genway.gateway.pools;

import io.genway.schemas.PoolSpec;

/** The router's answer for one request: a pool to queue it on, or why not. Rejection is a value, not an exception. */
public sealed interface Admission {

    record Admitted(PoolSpec pool, String model, PoolView view) implements Admission {
    }

    /** No configured pool of the modality serves the model. */
    record UnknownModel(String model) implements Admission {
    }

    /** Pools serve the model, but none has a live worker. */
    record NoLiveWorker(String pool) implements Admission {
    }

    /** Every pool that serves the model has a full backlog. */
    record BacklogFull(String pool, long retryAfterSeconds) implements Admission {
    }
}
