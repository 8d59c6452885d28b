package io.genway.gateway.http;

import io.genway.gateway.pools.Admission;

/** Maps the router's rejections to HTTP errors. */
final class Rejections {
    private Rejections() {
    }

    static Admission.Admitted admitted(Admission admission) {
        return switch (admission) {
            case Admission.Admitted a -> a;
            case Admission.UnknownModel u -> throw ApiError.notFound(u.model() == null
                    ? "No pool serves this kind of request." : "The model '" + u.model() + "' does not exist.", "model", "model_not_found");
            case Admission.NoLiveWorker n -> throw ApiError.unavailable("Pool '" + n.pool() + "' has no live worker; try again later.", "no_live_worker");
            case Admission.BacklogFull b -> throw ApiError.backlogFull(b.pool(), b.retryAfterSeconds());
        };
    }
}
