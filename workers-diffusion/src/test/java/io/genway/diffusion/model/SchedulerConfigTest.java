package io.genway.diffusion.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulerConfigTest {
    /** Stable Diffusion 1.5's scheduler config as its checkpoint ships it. */
    private static final String SD15_PNDM = """
            {"_class_name": "PNDMScheduler", "_diffusers_version": "0.6.0", "beta_end": 0.012,
             "beta_schedule": "scaled_linear", "beta_start": 0.00085, "num_train_timesteps": 1000,
             "set_alpha_to_one": false, "skip_prk_steps": true, "steps_offset": 1, "trained_betas": null,
             "clip_sample": false}
            """;

    @TempDir
    Path dir;

    @Test
    void emptyConfigGivesEachSchedulersDiffusersDefaults() {
        SchedulerConfig config = read("{}");

        assertThat(config.ddpm()).isEqualTo(DdpmConfig.DEFAULT);
        assertThat(config.ddim()).isEqualTo(DdimConfig.DEFAULT);
        assertThat(config.euler()).isEqualTo(EulerConfig.DEFAULT);
        assertThat(config.eulerAncestral()).isEqualTo(EulerAncestralConfig.DEFAULT);
        assertThat(config.dpmSolver()).isEqualTo(DpmSolverConfig.DEFAULT);
    }

    @Test
    void carriesStableDiffusionsPndmConfigOverToDdimAsFromConfigDoes() {
        SchedulerConfig config = read(SD15_PNDM);

        assertThat(config.className()).isEqualTo("PNDMScheduler");
        assertThat(config.noiseSchedule()).isEqualTo(NoiseSchedule.STABLE_DIFFUSION);
        assertThat(config.ddim()).isEqualTo(new DdimConfig(NoiseSchedule.STABLE_DIFFUSION, PredictionType.EPSILON,
                SampleClipping.OFF, false, TimestepSpacing.LEADING, 1, 0.0, false));
    }

    @Test
    void keepsEachSchedulersOwnSpacingDefaultWhenTheConfigHasNone() {
        SchedulerConfig config = read(SD15_PNDM);

        assertThat(config.euler().timestepSpacing()).isEqualTo(TimestepSpacing.LINSPACE);
        assertThat(config.euler().stepsOffset()).isEqualTo(1);
        assertThat(config.ddpm().timestepSpacing()).isEqualTo(TimestepSpacing.LEADING);
    }

    @Test
    void readsDpmSolverKnobs() {
        SchedulerConfig config = read("""
                {"_class_name": "DPMSolverMultistepScheduler", "solver_order": 3, "solver_type": "heun",
                 "use_karras_sigmas": true, "final_sigmas_type": "sigma_min", "lower_order_final": false,
                 "euler_at_final": true, "prediction_type": "v_prediction", "timestep_spacing": "trailing",
                 "thresholding": true, "dynamic_thresholding_ratio": 0.9, "sample_max_value": 2.0,
                 "beta_schedule": "squaredcos_cap_v2", "rescale_betas_zero_snr": true}
                """);

        DpmSolverConfig dpm = config.dpmSolver();
        assertThat(dpm.solverOrder()).isEqualTo(3);
        assertThat(dpm.solverType()).isEqualTo(DpmSolverConfig.SolverType.HEUN);
        assertThat(dpm.sigmaSpacing()).isEqualTo(DpmSolverConfig.SigmaSpacing.KARRAS);
        assertThat(dpm.finalSigmaZero()).isFalse();
        assertThat(dpm.lowerOrderFinal()).isFalse();
        assertThat(dpm.eulerAtFinal()).isTrue();
        assertThat(dpm.predictionType()).isEqualTo(PredictionType.V_PREDICTION);
        assertThat(dpm.timestepSpacing()).isEqualTo(TimestepSpacing.TRAILING);
        assertThat(dpm.thresholding()).isEqualTo(new SampleClipping.DynamicThreshold(0.9, 2.0));
        assertThat(dpm.noise().betaSchedule()).isEqualTo(BetaSchedule.SQUAREDCOS_CAP_V2);
        assertThat(dpm.noise().rescaleBetasZeroSnr()).isTrue();
    }

    @Test
    void readsDdpmVarianceAndClipRange() {
        SchedulerConfig config = read("""
                {"variance_type": "learned_range", "clip_sample_range": 2.5}
                """);

        assertThat(config.ddpm().varianceType()).isEqualTo(DdpmConfig.VarianceType.LEARNED_RANGE);
        assertThat(config.ddpm().clipping()).isEqualTo(new SampleClipping.Clip(2.5));
    }

    @Test
    void refusesAnUnknownBetaScheduleNamingKeyAndValue() {
        SchedulerConfig config = read("{\"beta_schedule\": \"sigmoid\"}");

        assertThatThrownBy(config::noiseSchedule)
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("scheduler_config.json: beta_schedule \"sigmoid\" is not supported");
    }

    @Test
    void refusesADpmAlgorithmThisEngineLacks() {
        SchedulerConfig config = read("{\"algorithm_type\": \"sde-dpmsolver++\"}");

        assertThatThrownBy(config::dpmSolver)
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("algorithm_type \"sde-dpmsolver++\" is not supported");
    }

    @Test
    void refusesSamplePredictionForEulerAncestralNamingTheField() {
        SchedulerConfig config = read("{\"prediction_type\": \"sample\"}");

        assertThatThrownBy(config::eulerAncestral)
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("predictionType must be EPSILON or V_PREDICTION, was SAMPLE");
    }

    @Test
    void refusesTrainedBetas() {
        assertThatThrownBy(() -> read("{\"trained_betas\": [0.1, 0.2]}"))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("trained_betas [0.1,0.2] is not supported");
    }

    @Test
    void refusesAWronglyTypedValueNamingTheKey() {
        SchedulerConfig config = read("{\"num_train_timesteps\": \"many\"}");

        assertThatThrownBy(config::noiseSchedule)
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("num_train_timesteps must be an integer, was \"many\"");
    }

    private SchedulerConfig read(String json) {
        return SchedulerConfig.read(ConfigFolders.write(dir, "scheduler/scheduler_config.json", json));
    }
}
