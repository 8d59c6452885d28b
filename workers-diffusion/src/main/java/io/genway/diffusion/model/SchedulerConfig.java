package io.genway.diffusion.model;

import io.genway.diffusion.schedulers.BetaSchedule;
import io.genway.diffusion.schedulers.DdimConfig;
import io.genway.diffusion.schedulers.DdpmConfig;
import io.genway.diffusion.schedulers.DpmSolverConfig;
import io.genway.diffusion.schedulers.EulerAncestralConfig;
import io.genway.diffusion.schedulers.EulerConfig;
import io.genway.diffusion.schedulers.NoiseSchedule;
import io.genway.diffusion.schedulers.PredictionType;
import io.genway.diffusion.schedulers.SampleClipping;
import io.genway.diffusion.schedulers.TimestepSpacing;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * A pipeline's {@code scheduler/scheduler_config.json}, read onto any of this engine's scheduler configs the way
 * diffusers' {@code SomeScheduler.from_config(pipe.scheduler.config)} does: the keys a scheduler shares are carried
 * over and the rest take that scheduler's defaults. So a checkpoint that ships a scheduler this engine lacks (Stable
 * Diffusion 1.5's PNDM) still yields its noise schedule for DDIM, Euler or DPM-Solver++.
 */
public final class SchedulerConfig {
    public static final String FILE_NAME = "scheduler_config.json";
    private static final Set<String> BETA_SCHEDULES = Set.of("linear", "scaled_linear", "squaredcos_cap_v2");
    private static final Set<String> PREDICTION_TYPES = Set.of("epsilon", "v_prediction", "sample");
    private static final Set<String> SPACINGS = Set.of("linspace", "leading", "trailing");
    private static final Set<String> FINAL_SIGMAS = Set.of("zero", "sigma_min");

    private final ConfigJson json;

    private SchedulerConfig(ConfigJson json) {
        this.json = json;
    }

    public static SchedulerConfig read(Path configJson) {
        ConfigJson json = ConfigJson.read(configJson);
        // betas given as a list replace the schedule itself; nothing here consumes them
        json.requireNull("trained_betas");
        return new SchedulerConfig(json);
    }

    /** {@code _class_name}: the scheduler the checkpoint was saved with, e.g. {@code PNDMScheduler}. */
    public String className() {
        return json.string("_class_name", "");
    }

    /** The schedule under diffusers' defaults for every scheduler (those of the DDPM paper). */
    public NoiseSchedule noiseSchedule() {
        return json.build(() -> new NoiseSchedule(
                json.integer("num_train_timesteps", 1000),
                json.decimal("beta_start", 1e-4),
                json.decimal("beta_end", 0.02),
                enumValue(BetaSchedule.class, json.oneOf("beta_schedule", "linear", BETA_SCHEDULES)),
                json.bool("rescale_betas_zero_snr", false)));
    }

    public DdpmConfig ddpm() {
        String variance = json.oneOf("variance_type", "fixed_small",
                Set.of("fixed_small", "fixed_small_log", "fixed_large", "learned", "learned_range"));
        return json.build(() -> new DdpmConfig(noiseSchedule(), enumValue(DdpmConfig.VarianceType.class, variance),
                predictionType(), clipping(), spacing("leading"), json.integer("steps_offset", 0)));
    }

    /** {@code eta} is a call argument in diffusers, not config; it stays 0 (deterministic) here. */
    public DdimConfig ddim() {
        return json.build(() -> new DdimConfig(noiseSchedule(), predictionType(), clipping(),
                json.bool("set_alpha_to_one", true), spacing("leading"), json.integer("steps_offset", 0), 0.0, false));
    }

    /** Churn is a call argument in diffusers, not config; it stays off here. */
    public EulerConfig euler() {
        json.requireDefault("interpolation_type", "linear");
        json.requireDefault("timestep_type", "discrete");
        json.requireDefault("use_exponential_sigmas", false);
        json.requireDefault("use_beta_sigmas", false);
        json.requireNull("sigma_min");
        json.requireNull("sigma_max");
        return json.build(() -> new EulerConfig(noiseSchedule(), predictionType(), spacing("linspace"),
                json.integer("steps_offset", 0), json.bool("use_karras_sigmas", false), finalSigmaZero(), 0.0, 0.0,
                Double.POSITIVE_INFINITY, 1.0));
    }

    public EulerAncestralConfig eulerAncestral() {
        return json.build(() -> new EulerAncestralConfig(noiseSchedule(), predictionType(), spacing("linspace"),
                json.integer("steps_offset", 0)));
    }

    public DpmSolverConfig dpmSolver() {
        json.requireDefault("algorithm_type", "dpmsolver++");
        json.requireDefault("use_exponential_sigmas", false);
        json.requireDefault("use_beta_sigmas", false);
        json.requireNull("variance_type");
        boolean karras = json.bool("use_karras_sigmas", false);
        boolean lu = json.bool("use_lu_lambdas", false);
        if (karras && lu) {
            throw json.unsupported("use_lu_lambdas", true, Set.of("false when use_karras_sigmas is true"));
        }
        DpmSolverConfig.SigmaSpacing sigmas = karras ? DpmSolverConfig.SigmaSpacing.KARRAS
                : lu ? DpmSolverConfig.SigmaSpacing.LU_LAMBDAS : DpmSolverConfig.SigmaSpacing.INTERPOLATED;
        String solver = json.oneOf("solver_type", "midpoint", Set.of("midpoint", "heun"));
        SampleClipping thresholding = json.bool("thresholding", false) ? dynamicThreshold() : SampleClipping.OFF;
        return json.build(() -> new DpmSolverConfig(noiseSchedule(), json.integer("solver_order", 2),
                predictionType(), thresholding, enumValue(DpmSolverConfig.SolverType.class, solver),
                json.bool("lower_order_final", true), json.bool("euler_at_final", false), sigmas, finalSigmaZero(),
                spacing("linspace"), json.integer("steps_offset", 0)));
    }

    private PredictionType predictionType() {
        return enumValue(PredictionType.class, json.oneOf("prediction_type", "epsilon", PREDICTION_TYPES));
    }

    private TimestepSpacing spacing(String schedulerDefault) {
        return enumValue(TimestepSpacing.class, json.oneOf("timestep_spacing", schedulerDefault, SPACINGS));
    }

    private boolean finalSigmaZero() {
        return json.oneOf("final_sigmas_type", "zero", FINAL_SIGMAS).equals("zero");
    }

    /** Dynamic thresholding wins over clipping when both are set, as in diffusers. */
    private SampleClipping clipping() {
        if (json.bool("thresholding", false)) return dynamicThreshold();
        if (!json.bool("clip_sample", true)) return SampleClipping.OFF;
        return json.build(() -> new SampleClipping.Clip(json.decimal("clip_sample_range", 1.0)));
    }

    private SampleClipping dynamicThreshold() {
        return json.build(() -> new SampleClipping.DynamicThreshold(json.decimal("dynamic_thresholding_ratio", 0.995),
                json.decimal("sample_max_value", 1.0)));
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String configValue) {
        return Enum.valueOf(type, configValue.toUpperCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return "SchedulerConfig[" + json.file() + "]";
    }
}
