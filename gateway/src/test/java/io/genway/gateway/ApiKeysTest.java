package io.genway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.genway.llm.SyntheticTextEngine;
import io.genway.schemas.Modality;
import io.genway.schemas.PoolSpec;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
    static Platform platform;

    @BeforeAll
    static void start() {
        platform = new Platform(List.of(new PoolSpec("text", Modality.TEXT, List.of("tiny"), 10, 64)), List.of("key-alice", "key-bob"));
        platform.startWorker("text", "w-keys", new SyntheticTextEngine(List.of("tiny"), 2, Duration.ZERO, Duration.ZERO));
        platform.startGateway();
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    @Test
    void refusesACallWithoutAKeyOrWithAWrongOne() {
        String body = """
                {"model":"tiny","messages":[{"role":"user","content":"hi"}]}""";
        HttpResponse<String> none = Http.post(platform.url("/v1/chat/completions"), body);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(none.body()).getJsonObject("error").getString("code")).isEqualTo("invalid_api_key");
        assertThat(Http.post(platform.url("/v1/chat/completions"), body, "Authorization", "Bearer key-mallory").statusCode()).isEqualTo(401);
        assertThat(Http.post(platform.url("/v1/chat/completions"), body, "Authorization", "Bearer key-alice").statusCode()).isEqualTo(200);
        assertThat(Http.get(platform.url("/health/live")).statusCode()).isEqualTo(200);
    }

    @Test
    void showsAJobOnlyToTheKeyThatCreatedIt() {
        HttpResponse<String> created = Http.post(platform.url("/v1/jobs"), """
                {"type":"completion","model":"tiny","prompt":"secret","max_tokens":2}""", "Authorization", "Bearer key-alice");
        assertThat(created.statusCode()).isEqualTo(202);
        String id = new JsonObject(created.body()).getString("id");
        assertThat(Http.get(platform.url("/v1/jobs/" + id), "Authorization", "Bearer key-alice").statusCode()).isEqualTo(200);
        assertThat(Http.get(platform.url("/v1/jobs/" + id), "Authorization", "Bearer key-bob").statusCode()).isEqualTo(404);
        assertThat(Http.delete(platform.url("/v1/jobs/" + id), "Authorization", "Bearer key-bob").statusCode()).isEqualTo(404);
    }
}
