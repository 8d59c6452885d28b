package io.genway.gateway.pools;

import io.genway.schemas.Modality;
import io.genway.schemas.PoolSpec;
import java.util.Comparator;
import java.util.List;

/**
 * Picks the pool for a request: among pools of the right modality that serve the model and have a live worker and
 * room in their backlog, the one with the earliest estimated completion (the deployment cost model, fed by the
 * workers' measured timings).
 */
public final class PoolRouter {
    private final PoolDirectory directory;

    public PoolRouter(PoolDirectory directory) {
        this.directory = directory;
    }

    /**
     * @param model the model asked for, or null for the modality's default (its first pool's first model)
     * @param units the request's size in outputs: tokens asked for, or denoising steps
     */
    public Admission admit(Modality modality, String model, int units) {
        if (model == null) {
            // The default is one model, always the same: not whichever pool of the modality happens to be fastest.
            List<PoolSpec> all = directory.candidates(modality, null);
            if (all.isEmpty()) return new Admission.UnknownModel(null);
            model = all.getFirst().models().getFirst();
        }
        List<PoolSpec> candidates = directory.candidates(modality, model);
        if (candidates.isEmpty()) return new Admission.UnknownModel(model);
        List<PoolView> views = candidates.stream().map(p -> directory.view(p.name())).toList();
        List<PoolView> live = views.stream().filter(v -> v.liveWorkers() > 0).toList();
        if (live.isEmpty()) return new Admission.NoLiveWorker(candidates.getFirst().name());
        List<PoolView> open = live.stream().filter(v -> !v.backlogFull()).toList();
        if (open.isEmpty()) {
            PoolView soonest = live.stream().min(Comparator.comparingLong(PoolView::retryAfterSeconds)).orElseThrow();
            return new Admission.BacklogFull(soonest.spec().name(), soonest.retryAfterSeconds());
        }
        PoolView best = open.stream().min(Comparator.comparingDouble(v -> v.etaMs(units))).orElseThrow();
        return new Admission.Admitted(best.spec(), model, best);
    }

    public PoolDirectory directory() {
        return directory;
    }
}
