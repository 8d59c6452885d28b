package io.genway.deploy.bench;

import io.genway.broker.EmbeddedKafka;
import io.genway.gateway.Gateway;
import io.genway.gateway.GatewaySettings;
import io.genway.llm.SyntheticTextEngine;
import io.genway.schemas.ChatMessage;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.Modality;
import io.genway.schemas.PoolSpec;
import io.genway.schemas.RequestKind;
import io.genway.schemas.SamplingParams;
import io.genway.schemas.TextInput;
import io.genway.schemas.TopicSetup;
import io.genway.schemas.Topics;
import io.genway.worker.Worker;
import io.genway.worker.WorkerSettings;
import io.genway.worker.engine.CancelToken;
import io.genway.worker.engine.Output;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.parsetools.RecordParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;

/**
 * What the gateway and Kafka add to a token stream: the same synthetic engine measured twice at each concurrency,
 * once called in-process and once behind the whole path (HTTP client → gateway → Kafka → worker → Kafka →
 * gateway → SSE), closed loop, same token pacing. Reports time to first token and inter-token latency (p50,
 * p99) for both, the difference, and tokens relayed per second.
 */
public final class RelayBench {

    /** @param tokenDelay the engine's pacing; the in-process run shows what the engine alone does */
    public record Options(List<Integer> levels, int tokens, Duration tokenDelay, Duration jvmWarmup, Duration warmup, Duration measure) {
    }

    record Result(Samples ttft, Samples itl, long tokens, double seconds) {
    }

    private RelayBench() {
    }

    public static void run(Options options) throws Exception {
        int maxLevel = options.levels().stream().mapToInt(Integer::intValue).max().orElse(1);
        Path dir = Files.createTempDirectory("genway-bench");
        Topics topics = new Topics("bench.");
        PoolSpec pool = new PoolSpec("text", Modality.TEXT, List.of("bench"), 1_000_000, 100_000);
        System.out.printf(Locale.ROOT, "genway relay benchmark: %d tokens per stream, engine pacing %d ms, warm-up %d s, measured %d s per run%n",
                options.tokens(), options.tokenDelay().toMillis(), options.warmup().toSeconds(), options.measure().toSeconds());
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, Map.of())) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                new TopicSetup(admin, topics, TopicSetup.Settings.DEFAULT).ensure(List.of("text"));
            }
            try (Gateway gateway = Gateway.start(new GatewaySettings(kafka.bootstrapServers(), topics, "127.0.0.1", 0, List.of(pool),
                    List.of(), 0, Duration.ofSeconds(5), Map.of(), null))) {
                Vertx vertx = Vertx.vertx();
                try {
                    if (!options.jvmWarmup().isZero()) {
                        // A fresh JVM is 5-20x slower for its first half minute: load both paths before measuring.
                        Options warm = new Options(List.of(), options.tokens(), options.tokenDelay(), Duration.ZERO,
                                options.jvmWarmup().dividedBy(2), Duration.ofSeconds(1));
                        var direct = new SyntheticTextEngine(List.of("bench"), 64, Duration.ZERO, options.tokenDelay());
                        inProcess(direct, 64, warm);
                        direct.close();
                        try (Worker worker = worker(kafka, topics, pool, 64, options, "warm")) {
                            waitForWorker(vertx, gateway.port(), worker.id());
                            viaGateway(vertx, gateway.port(), 64, warm);
                        }
                    }
                    System.out.println();
                    System.out.println("streams | path       | TTFT p50 ms | TTFT p99 ms | ITL p50 ms | ITL p99 ms | tokens/s");
                    System.out.println("--------|------------|-------------|-------------|------------|------------|---------");
                    for (int level : options.levels()) {
                        var direct = new SyntheticTextEngine(List.of("bench"), level, Duration.ZERO, options.tokenDelay());
                        Result inProcess = inProcess(direct, level, options);
                        direct.close();
                        Result relayed;
                        // The pool is sized to the load, as an operator would size it: one worker with a slot per stream.
                        try (Worker worker = worker(kafka, topics, pool, level, options, "l" + level)) {
                            waitForWorker(vertx, gateway.port(), worker.id());
                            relayed = viaGateway(vertx, gateway.port(), level, options);
                            if (Boolean.getBoolean("genway.bench.stages")) stages(vertx, gateway.port());
                        }
                        print(level, "in-process", inProcess);
                        print(level, "gateway", relayed);
                        System.out.printf(Locale.ROOT, "%7d | added      | %11.2f | %11.2f | %10.2f | %10.2f |%n", level,
                                relayed.ttft().percentileMs(50) - inProcess.ttft().percentileMs(50),
                                relayed.ttft().percentileMs(99) - inProcess.ttft().percentileMs(99),
                                relayed.itl().percentileMs(50) - inProcess.itl().percentileMs(50),
                                relayed.itl().percentileMs(99) - inProcess.itl().percentileMs(99));
                    }
                } finally {
                    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static Worker worker(EmbeddedKafka kafka, Topics topics, PoolSpec pool, int slots, Options options, String name) {
        var engine = new SyntheticTextEngine(List.of("bench"), slots, Duration.ZERO, options.tokenDelay());
        return Worker.start(new WorkerSettings("bench-worker-" + name, pool, kafka.bootstrapServers(), topics, slots,
                Duration.ofMillis(500), Duration.ofSeconds(5), Map.of()), engine);
    }

    private static void print(int level, String path, Result r) {
        System.out.printf(Locale.ROOT, "%7d | %-10s | %11.2f | %11.2f | %10.2f | %10.2f | %8.0f%n", level, path,
                r.ttft().percentileMs(50), r.ttft().percentileMs(99), r.itl().percentileMs(50), r.itl().percentileMs(99),
                r.tokens() / r.seconds());
    }

    private static GenerationRequest request(int tokens, long seed) {
        return new GenerationRequest("bench-" + seed, RequestKind.CHAT, false, "text", "bench",
                new TextInput(List.of(new ChatMessage("user", "the quick brown fox jumps over the lazy dog")), null,
                        new SamplingParams(tokens, 0.8, 1, 0, 0, List.of())),
                null, seed, System.currentTimeMillis(), 0, "", false, null, 0);
    }

    /** N loops, each calling the engine directly and timing its callbacks. */
    private static Result inProcess(SyntheticTextEngine engine, int level, Options options) throws InterruptedException {
        Samples ttft = new Samples();
        Samples itl = new Samples();
        AtomicLong tokens = new AtomicLong();
        long start = System.nanoTime();
        long measureFrom = start + options.warmup().toNanos();
        long end = measureFrom + options.measure().toNanos();
        CountDownLatch done = new CountDownLatch(level);
        AtomicLong seeds = new AtomicLong();
        for (int i = 0; i < level; i++) {
            Thread.ofVirtual().start(() -> {
                try {
                    while (System.nanoTime() < end) {
                        long sent = System.nanoTime();
                        boolean counted = sent >= measureFrom;
                        long[] last = {0};
                        Output output = new Output() {
                            @Override
                            public void tokens(String text, List<Integer> ids) {
                                long now = System.nanoTime();
                                if (counted && now <= end) {
                                    if (last[0] == 0) ttft.add(now - sent);
                                    else itl.add(now - last[0]);
                                    tokens.incrementAndGet();
                                }
                                last[0] = now;
                            }

                            @Override
                            public void progress(int step, int of, byte[] previewPng) {
                            }

                            @Override
                            public void result(int index, byte[] bytes, String contentType) {
                            }
                        };
                        engine.run(request(options.tokens(), seeds.incrementAndGet()), output, new CancelToken()).join();
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        return new Result(ttft, itl, tokens.get(), options.measure().toNanos() / 1e9);
    }

    /** N loops, each streaming a chat completion through the gateway and timing the SSE chunks as a client sees them. */
    private static Result viaGateway(Vertx vertx, int port, int level, Options options) throws InterruptedException {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
                .setKeepAlive(true).setTcpNoDelay(true), new PoolOptions().setHttp1MaxSize(level + 8));
        Samples ttft = new Samples();
        Samples itl = new Samples();
        AtomicLong tokens = new AtomicLong();
        long start = System.nanoTime();
        long measureFrom = start + options.warmup().toNanos();
        long end = measureFrom + options.measure().toNanos();
        CountDownLatch done = new CountDownLatch(level);
        String body = "{\"model\":\"bench\",\"stream\":true,\"max_tokens\":" + options.tokens()
                + ",\"temperature\":0.8,\"messages\":[{\"role\":\"user\",\"content\":\"the quick brown fox jumps over the lazy dog\"}]}";
        for (int i = 0; i < level; i++) {
            new Object() {
                void next() {
                    if (System.nanoTime() >= end) {
                        done.countDown();
                        return;
                    }
                    long sent = System.nanoTime();
                    boolean counted = sent >= measureFrom;
                    long[] last = {0};
                    client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/v1/chat/completions")
                                    .putHeader("Content-Type", "application/json"))
                            .compose(req -> req.send(Buffer.buffer(body)))
                            .onSuccess(resp -> {
                                RecordParser parser = RecordParser.newDelimited("\n\n", event -> {
                                    String e = event.toString();
                                    if (!e.contains("\"content\":\"") || e.contains("\"content\":\"\"")) return;
                                    long now = System.nanoTime();
                                    if (counted && now <= end) {
                                        if (last[0] == 0) ttft.add(now - sent);
                                        else itl.add(now - last[0]);
                                        tokens.incrementAndGet();
                                    }
                                    last[0] = now;
                                });
                                resp.handler(parser);
                                resp.endHandler(v -> next());
                                resp.exceptionHandler(err -> next());
                            })
                            .onFailure(err -> {
                                System.err.println("request failed: " + err.getMessage());
                                vertx.setTimer(100, t -> next());
                            });
                }
            }.next();
        }
        done.await();
        client.close();
        return new Result(ttft, itl, tokens.get(), options.measure().toNanos() / 1e9);
    }

    /** Mean queue time and time to first token as the gateway measured them (diagnostic). */
    private static void stages(Vertx vertx, int port) throws Exception {
        var client = vertx.createHttpClient();
        String metrics = client.request(HttpMethod.GET, port, "127.0.0.1", "/metrics")
                .compose(req -> req.send().compose(resp -> resp.body()))
                .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).toString();
        client.close();
        for (String name : List.of("genway_queue_time_seconds", "genway_time_to_first_token_seconds", "genway_inter_token_latency_seconds")) {
            double sum = 0;
            double count = 0;
            for (String line : metrics.split("\n")) {
                if (line.startsWith(name + "_sum")) sum = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                if (line.startsWith(name + "_count")) count = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
            System.out.printf(Locale.ROOT, "  gateway-measured %s mean %.2f ms over %.0f%n", name, count == 0 ? 0 : sum / count * 1000, count);
        }
    }

    private static void waitForWorker(Vertx vertx, int port, String workerId) throws Exception {
        var client = vertx.createHttpClient();
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < until) {
            try {
                String pools = client.request(HttpMethod.GET, port, "127.0.0.1", "/v1/pools")
                        .compose(req -> req.send().compose(resp -> resp.body()))
                        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).toString();
                if (pools.contains("\"live_workers\":1") && pools.contains(workerId)) {
                    client.close();
                    return;
                }
            } catch (java.util.concurrent.TimeoutException slow) {
                System.err.println("(the gateway took over 5 s to list pools; asking again)");
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the benchmark's worker did not come alive");
    }

    public static void main(String[] args) throws Exception {
        List<Integer> levels = new ArrayList<>(List.of(1, 64, 512));
        int tokens = 64;
        Duration delay = Duration.ofMillis(20);
        Duration warmup = Duration.ofSeconds(10);
        Duration measure = Duration.ofSeconds(20);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--levels" -> levels = java.util.Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--tokens" -> tokens = Integer.parseInt(args[++i]);
                case "--token-delay-ms" -> delay = Duration.ofMillis(Long.parseLong(args[++i]));
                case "--warmup-s" -> warmup = Duration.ofSeconds(Long.parseLong(args[++i]));
                case "--measure-s" -> measure = Duration.ofSeconds(Long.parseLong(args[++i]));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        run(new Options(levels, tokens, delay, Duration.ofSeconds(30), warmup, measure));
    }
}
