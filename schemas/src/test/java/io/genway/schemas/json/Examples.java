package io.genway.schemas.json;

import io.genway.schemas.Cancel;
import io.genway.schemas.ChatMessage;
import io.genway.schemas.ErrorInfo;
import io.genway.schemas.EventsPosition;
import io.genway.schemas.FinishReason;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.Heartbeat;
import io.genway.schemas.ImageInput;
import io.genway.schemas.JobState;
import io.genway.schemas.JobStatus;
import io.genway.schemas.Modality;
import io.genway.schemas.RequestKind;
import io.genway.schemas.ResultRef;
import io.genway.schemas.SamplingParams;
import io.genway.schemas.StreamEvent;
import io.genway.schemas.StreamOrigin;
import io.genway.schemas.TextInput;
import io.genway.schemas.Timings;
import io.genway.schemas.Usage;
import io.genway.schemas.WorkerProfile;
import java.util.List;
import java.util.Map;

/** Realistic messages of every kind, as the gateway and the workers build them. */
final class Examples {
    /** One message, the schema file it must satisfy and the type a reader decodes it as. */
    record Example(String name, String schema, Class<?> type, Object message) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final long T = 1_764_320_000_000L;
    private static final SamplingParams VLLM = new SamplingParams(64, 0.7, 0.95, 40, 0.05, 0.2, -0.1, 1.1, List.of("\n\n", "THE END"));
    private static final SamplingParams OPENAI = new SamplingParams(256, 0, 1, 0, 0, List.of());
    static final GenerationRequest CHAT = new GenerationRequest("chatcmpl-7f3a", RequestKind.CHAT, false, "llm-small", "genway-demo-stories",
            new TextInput(List.of(new ChatMessage("system", "You tell short stories."), new ChatMessage("user", "Once upon a time")), null, VLLM),
            null, 42, T, T + 30_000, "3f9a1c", true, new EventsPosition(3, 1187), 2);
    static final GenerationRequest COMPLETION = new GenerationRequest("cmpl-19b2", RequestKind.COMPLETION, true, "llm-small", "genway-demo-stories",
            new TextInput(null, "Once upon a time, there was a little cat", OPENAI), null, -8_123_456_789L, T, 0, "", false, new EventsPosition(0, 0), 0);
    static final GenerationRequest IMAGE = new GenerationRequest("img-55d0", RequestKind.IMAGE, true, "diffusion-shapes", "genway-demo-shapes",
            null, new ImageInput("a red circle on a blue background", "blurry", 1, 512, 768, 50, 15, 2), 7, T, 0, "3f9a1c", false, null, 5);
    static final GenerationRequest IMAGES = new GenerationRequest("job-0c1e", RequestKind.IMAGE, true, "diffusion-shapes", "genway-demo-shapes",
            null, new ImageInput("a yellow triangle", null, 8, 2048, 8, 1, 0), 1, T, 0, "", false, new EventsPosition(1, 99), 0);

    private static final ResultRef PNG = new ResultRef("img-55d0/0", 2, 4411, "image/png", 18_342);
    private static final ResultRef TEXT = new ResultRef("cmpl-19b2", 0, 12, "application/json", 812);
    private static final Usage USAGE = new Usage(12, 64);
    private static final Timings TIMINGS = new Timings(3.5, 41.25, 7.75, 540.0);

    static final List<StreamEvent> EVENTS = List.of(
            new StreamEvent.Queued("chatcmpl-7f3a", 0, 0, T, 2, 1_500,
                    new StreamOrigin("3f9a1c", RequestKind.CHAT, "llm-small", "genway-demo-stories", T, true, true)),
            new StreamEvent.Queued("job-0c1e", 0, 0, T, 0, 0),
            new StreamEvent.Started("chatcmpl-7f3a", 1, 0, T + 4, "llm-small-1"),
            new StreamEvent.Tokens("chatcmpl-7f3a", 1, 1, T + 45, " there", List.of(727)),
            new StreamEvent.Tokens("chatcmpl-7f3a", 1, 2, T + 52, "é", null),
            new StreamEvent.Progress("img-55d0", 1, 1, T + 90, 1, 50, null),
            new StreamEvent.Progress("img-55d0", 1, 17, T + 700, 17, 50, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}),
            new StreamEvent.ImageReady("img-55d0", 1, 51, T + 2_000, 0, PNG),
            new StreamEvent.Completed("chatcmpl-7f3a", 1, 65, T + 540, FinishReason.LENGTH, USAGE, TIMINGS),
            new StreamEvent.Completed("chatcmpl-7f3b", 2, 3, T + 540, FinishReason.STOP, null, null),
            new StreamEvent.Failed("chatcmpl-7f3a", 3, 4, T + 9_000, new ErrorInfo("server_error", "CUDA out of memory", "engine_error"), true),
            new StreamEvent.Failed("cmpl-19b2", 1, 1, T + 10, new ErrorInfo("invalid_request_error", "prompt is longer than the context", null), false),
            new StreamEvent.Cancelled("img-55d0", 1, 18, T + 800, "cancelled by client"));

    private static final JobState QUEUED = JobState.queued(IMAGE, T + 2, 2_400);
    static final List<JobState> JOBS = List.of(
            QUEUED,
            QUEUED.running(1, T + 10),
            QUEUED.running(1, T + 10).progressed(17, 50, T + 700),
            QUEUED.running(1, T + 10).completed(List.of(PNG), FinishReason.STOP, new Usage(0, 1), TIMINGS, T + 2_100),
            JobState.queued(COMPLETION, T, 0).running(2, T + 5).completed(List.of(TEXT), FinishReason.LENGTH, USAGE, TIMINGS, T + 600),
            QUEUED.running(1, T + 10).failed(new ErrorInfo("server_error", "worker lost", "delivery_limit_exceeded"), T + 60_000),
            QUEUED.withStatus(JobStatus.CANCELLED, T + 20));

    static final List<Heartbeat> HEARTBEATS = List.of(
            new Heartbeat("llm-small-1", "llm-small", Modality.TEXT, List.of("genway-demo-stories"), "llama", 8, 3, false, T, T + 5_000,
                    36_864, 2_147_483_648L, new WorkerProfile(41.5, 7.25, 530.0, 1.5, 90), null),
            new Heartbeat("diffusion-shapes-1", "diffusion-shapes", Modality.IMAGE, List.of("genway-demo-shapes", "genway-synthetic-image"),
                    "native-unet", 2, 0, true, T, T + 5_000, 0, -1, null, Map.of("512x512/1", 41.5, "512x512/2", 77.0)));

    static final List<Cancel> CANCELS = List.of(new Cancel("chatcmpl-7f3a", "client disconnected", T + 100), new Cancel("job-0c1e", null, T));

    static List<Example> all() {
        List<Example> out = new java.util.ArrayList<>();
        for (GenerationRequest r : List.of(CHAT, COMPLETION, IMAGE, IMAGES)) {
            out.add(new Example("request " + r.requestId(), "kafka/generation-request.schema.json", GenerationRequest.class, r));
        }
        for (StreamEvent e : EVENTS) {
            String type = io.genway.schemas.EventHeaders.typeOf(e);
            out.add(new Example("event " + type + " seq " + e.seq(), "kafka/stream-event.schema.json", StreamEvent.class, e));
            out.add(new Example("event " + type + " seq " + e.seq() + " (own schema)", variantSchema(type), StreamEvent.class, e));
        }
        for (JobState j : JOBS) out.add(new Example("job " + j.jobId() + " " + j.status().wire(), "kafka/job-state.schema.json", JobState.class, j));
        for (Heartbeat h : HEARTBEATS) out.add(new Example("heartbeat " + h.workerId(), "kafka/heartbeat.schema.json", Heartbeat.class, h));
        for (Cancel c : CANCELS) out.add(new Example("cancel " + c.requestId(), "kafka/cancel.schema.json", Cancel.class, c));
        return out;
    }

    static String variantSchema(String type) {
        return "kafka/events/" + type.replace('_', '-') + ".schema.json";
    }

    private Examples() {
    }
}
