package io.genway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.genway.deploy.config.ConfigLoader;
import io.genway.deploy.config.GenwayConfig;
import io.genway.deploy.config.PoolConfig;
import io.genway.diffusion.SyntheticImageEngine;
import io.genway.gateway.GatewaySettings;
import io.genway.llm.SyntheticTextEngine;
import io.genway.llm.remote.RemoteTextEngine;
import io.genway.schemas.TopicSetup;
import io.genway.schemas.Topics;
import io.genway.worker.WorkerSettings;
import io.genway.worker.engine.Engine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolesTest {
    private static final GenwayConfig CONFIG = new ConfigLoader(Map.of(), Path.of(".")).parse("""
            kafka: { topic_prefix: "t.", client: { security.protocol: SSL } }
            gateway: { port: 9000, api_keys: [k], worker_timeout: 7s }
            pools:
              - { name: chat, modality: text, models: [m1, m2], max_backlog: 10, max_tokens: 100, drain_timeout: 12s,
                  engine: { type: synthetic, slots: 3 } }
              - { name: up, modality: text, models: [m3], engine: { type: remote, base_url: "http://x:1/v1", slots: 5 } }
              - { name: pics, modality: image, models: [sd], engine: { type: synthetic, slots: 2, step_delay: 1ms } }
            """, null, List.of());

    private final Roles roles = new Roles(CONFIG, "box", 4242);

    @Test
    void namesWorkersByPoolHostProcessAndNumber() {
        assertThat(roles.workerId("chat", 0)).isEqualTo("chat-box-4242-0");
        assertThat(roles.workerSettings(CONFIG.requirePool("pics"), "b:9092", 2).workerId()).isEqualTo("pics-box-4242-2");
    }

    @Test
    void shortensAndCleansTheHostName() {
        assertThat(Roles.hostName("Genway_Worker-7f9c.svc.cluster.local")).isEqualTo("genway-worker-7f9c");
        assertThat(Roles.hostName(null)).isNotBlank().doesNotContain(".");
    }

    @Test
    void givesWorkersTheirPoolTopicsClientSettingsAndDrainTimeout() {
        PoolConfig chat = CONFIG.requirePool("chat");
        WorkerSettings settings = roles.workerSettings(chat, "b:9092", 0);

        assertThat(settings.pool()).isEqualTo(chat.spec());
        assertThat(settings.pool().maxBacklog()).isEqualTo(10);
        assertThat(settings.bootstrapServers()).isEqualTo("b:9092");
        assertThat(settings.topics()).isEqualTo(new Topics("t."));
        assertThat(settings.kafka()).containsEntry("security.protocol", "SSL");
        assertThat(settings.drainTimeout()).isEqualTo(Duration.ofSeconds(12));
        assertThat(settings.slots()).as("slots come from the engine").isZero();
    }

    @Test
    void givesTheGatewayEveryPoolAndItsOwnSection() {
        GatewaySettings settings = roles.gatewaySettings("b:9092", null);

        assertThat(settings.pools()).extracting(p -> p.name()).containsExactly("chat", "up", "pics");
        assertThat(settings.port()).isEqualTo(9000);
        assertThat(settings.apiKeys()).containsExactly("k");
        assertThat(settings.workerTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(settings.topics().prefix()).isEqualTo("t.");
        assertThat(settings.kafka()).containsEntry("security.protocol", "SSL");
        assertThat(settings.stateDir()).isNull();
        assertThat(roles.gatewaySettings("b:9092", Path.of("/s")).stateDir()).isEqualTo("/s");
    }

    @Test
    void buildsTheEngineEachPoolConfigures() {
        try (Engine chat = roles.engine(CONFIG.requirePool("chat"));
             Engine up = roles.engine(CONFIG.requirePool("up"));
             Engine pics = roles.engine(CONFIG.requirePool("pics"))) {
            assertThat(chat).isInstanceOf(SyntheticTextEngine.class);
            assertThat(chat.info().slots()).isEqualTo(3);
            assertThat(chat.info().models()).containsExactly("m1", "m2");
            assertThat(up).isInstanceOf(RemoteTextEngine.class);
            assertThat(pics).isInstanceOf(SyntheticImageEngine.class);
        }
    }

    @Test
    void theDefaultTopicSettingsAreTopicSetupsOwn() {
        assertThat(GenwayConfig.DEFAULT.topics().settings()).isEqualTo(TopicSetup.Settings.DEFAULT);
    }
}
