package io.genway.diffusion.pipeline;

import io.genway.diffusion.model.SchedulerConfig;
import io.genway.diffusion.schedulers.DdimScheduler;
import io.genway.diffusion.schedulers.DdpmScheduler;
import io.genway.diffusion.schedulers.DpmSolverConfig;
import io.genway.diffusion.schedulers.DpmSolverScheduler;
import io.genway.diffusion.schedulers.EulerAncestralScheduler;
import io.genway.diffusion.schedulers.EulerScheduler;
import io.genway.diffusion.schedulers.Scheduler;
import java.util.Arrays;
import java.util.Optional;

/**
 * The samplers a request may name, each built from the model's {@code scheduler_config.json} the way diffusers'
 * {@code SomeScheduler.from_config(pipe.scheduler.config)} builds it, so the noise schedule is the checkpoint's own.
 */
public enum Sampler {
    DDIM("ddim"),
    DDPM("ddpm"),
    EULER("euler"),
    EULER_ANCESTRAL("euler_a"),
    DPMPP_2M("dpmpp_2m"),
    DPMPP_2M_KARRAS("dpmpp_2m_karras");

    private final String wireName;

    Sampler(String wireName) {
        this.wireName = wireName;
    }

    /** The name flags, configuration and PNG text chunks use. */
    public String wireName() {
        return wireName;
    }

    /** A fresh scheduler: schedulers keep per-run state, so every image gets its own. */
    public Scheduler create(SchedulerConfig config) {
        return switch (this) {
            case DDIM -> new DdimScheduler(config.ddim());
            case DDPM -> new DdpmScheduler(config.ddpm());
            case EULER -> new EulerScheduler(config.euler());
            case EULER_ANCESTRAL -> new EulerAncestralScheduler(config.eulerAncestral());
            case DPMPP_2M -> new DpmSolverScheduler(config.dpmSolver());
            case DPMPP_2M_KARRAS -> new DpmSolverScheduler(
                    config.dpmSolver().withSigmaSpacing(DpmSolverConfig.SigmaSpacing.KARRAS));
        };
    }

    /** The sampler called {@code name}; the message lists the names there are. */
    public static Sampler named(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown sampler \"" + name + "\" (known: "
                        + Arrays.stream(values()).map(Sampler::wireName).toList() + ")"));
    }

    /**
     * The sampler a checkpoint was saved with, when this engine has it ({@code EulerDiscreteScheduler} gives
     * {@link #EULER}); empty for others such as Stable Diffusion 1.5's {@code PNDMScheduler}.
     */
    public static Optional<Sampler> ofSchedulerClass(String className) {
        return Optional.ofNullable(switch (className) {
            case "DDIMScheduler" -> DDIM;
            case "DDPMScheduler" -> DDPM;
            case "EulerDiscreteScheduler" -> EULER;
            case "EulerAncestralDiscreteScheduler" -> EULER_ANCESTRAL;
            case "DPMSolverMultistepScheduler" -> DPMPP_2M;
            default -> null;
        });
    }
}
