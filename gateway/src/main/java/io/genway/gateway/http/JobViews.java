package io.genway.gateway.http;

import io.genway.schemas.JobState;
import io.genway.schemas.JobStatus;
import io.genway.schemas.Modality;
import io.genway.schemas.StreamEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** How jobs and their events look to clients. */
final class JobViews {
    private JobViews() {
    }

    static JsonObject job(JobState job, long nowMs) {
        String base = "/v1/jobs/" + job.jobId();
        JsonObject o = new JsonObject()
                .put("id", job.jobId())
                .put("object", "job")
                .put("type", job.kind().name().toLowerCase(java.util.Locale.ROOT))
                .put("model", job.model())
                .put("pool", job.pool())
                .put("status", job.status().wire())
                .put("created_at", job.createdAtMs() / 1000)
                .put("updated_at", job.updatedAtMs() / 1000)
                .put("attempt", job.attempt());
        if (job.status() == JobStatus.QUEUED) {
            o.put("queue_position", job.queuePosition());
            long left = Math.max(0, job.createdAtMs() + job.etaMs() - nowMs);
            o.put("eta_seconds", Math.round(left / 100.0) / 10.0);
        }
        if (job.kind().modality() == Modality.IMAGE) {
            o.put("progress", new JsonObject().put("step", job.step()).put("of", job.steps()));
        }
        if (job.finishReason() != null) o.put("finish_reason", job.finishReason().wire());
        if (job.usage() != null) o.put("usage", TextApi.usage(job.usage()));
        if (job.timings() != null) {
            o.put("timings", new JsonObject().put("queue_ms", job.timings().queueMs()).put("first_output_ms", job.timings().firstOutputMs())
                    .put("per_output_ms", job.timings().perOutputMs()).put("total_ms", job.timings().totalMs()));
        }
        if (job.error() != null) {
            o.put("error", new JsonObject().put("message", job.error().message()).put("type", job.error().type()).put("code", job.error().code()));
        }
        JsonObject links = new JsonObject().put("self", base).put("events", base + "/events");
        if (job.status() == JobStatus.COMPLETED) {
            links.put("result", base + "/result");
            if (job.results().size() > 1) {
                JsonArray all = new JsonArray();
                for (int i = 0; i < job.results().size(); i++) all.add(base + "/result?index=" + i);
                links.put("results", all);
            }
        }
        return o.put("links", links);
    }

    /** An event as a job's SSE stream shows it: {@code event: <type>}, {@code id: <seq>}, a JSON body. */
    static JsonObject event(StreamEvent event) {
        JsonObject o = new JsonObject().put("job_id", event.requestId()).put("attempt", event.attempt()).put("seq", event.seq())
                .put("at", event.atMs());
        switch (event) {
            case StreamEvent.Queued q -> o.put("position", q.position()).put("eta_seconds", q.etaMs() / 1000.0);
            case StreamEvent.Started s -> o.put("worker", s.worker());
            case StreamEvent.Tokens t -> o.put("text", t.text());
            case StreamEvent.Progress p -> {
                o.put("step", p.step()).put("of", p.of());
                if (p.preview() != null) o.put("preview_png_b64", java.util.Base64.getEncoder().encodeToString(p.preview()));
            }
            case StreamEvent.ImageReady i -> o.put("index", i.index()).put("url", "/v1/jobs/" + event.requestId() + "/result?index=" + i.index());
            case StreamEvent.Completed c -> {
                o.put("finish_reason", c.finishReason().wire()).put("usage", TextApi.usage(c.usage()));
            }
            case StreamEvent.Failed f -> o.put("error", new JsonObject().put("message", f.error().message())
                    .put("type", f.error().type()).put("code", f.error().code())).put("retriable", f.retriable());
            case StreamEvent.Cancelled c -> o.put("reason", c.reason());
        }
        return o;
    }

    /** The SSE {@code event:} name: the event's type, with {@code image} for a finished image. */
    static String eventName(StreamEvent event) {
        String type = io.genway.schemas.EventHeaders.typeOf(event);
        return type.equals("image_ready") ? "image" : type;
    }
}
