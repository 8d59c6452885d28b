package io.genway.schemas;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates genway's topics with explicit settings and configures each pool's share group. Idempotent: every role
 * runs it at start, so whichever starts first on a new cluster makes the topics and nothing relies on broker
 * auto-creation.
 */
public final class TopicSetup {
    private static final Logger log = LoggerFactory.getLogger(TopicSetup.class);

    /** Largest result record (an image): the topic's max.message.bytes and the producers' max.request.size. */
    public static final int MAX_RESULT_BYTES = 16 * 1024 * 1024;

    /**
     * @param requestPartitions partitions of each request topic. A share group lets any number of workers share a
     *                          partition, so one is the default: measured, with 4 partitions a killed worker kept
     *                          its partitions for the group's session timeout and its request waited ~10 s for
     *                          another worker (median of 5), with 1 it was picked up in ~1.1 s. Raise it only for
     *                          request rates one partition cannot carry.
     * @param leaseDuration     how long a worker may hold a request before the broker hands it to another (a crashed
     *                          worker's requests move at once when its connection drops; this covers a hung one)
     * @param deliveryLimit     attempts before a request goes to its pool's dead-letter topic
     */
    public record Settings(int requestPartitions, int eventPartitions, Duration leaseDuration, int deliveryLimit,
                           Duration eventRetention) {
        public static final Settings DEFAULT = new Settings(1, 8, Duration.ofMinutes(10), 5, Duration.ofDays(1));

        public Settings {
            if (requestPartitions < 1) throw new IllegalArgumentException("request partitions must be >= 1");
            if (eventPartitions < 1) throw new IllegalArgumentException("event partitions must be >= 1");
            if (deliveryLimit < 2 || deliveryLimit > 10) throw new IllegalArgumentException("delivery limit must be in [2, 10] (Kafka's bounds)");
            if (leaseDuration.toMillis() < 1000) throw new IllegalArgumentException("lease duration must be >= 1s");
        }
    }

    private final Admin admin;
    private final Topics topics;
    private final Settings settings;

    public TopicSetup(Admin admin, Topics topics, Settings settings) {
        this.admin = admin;
        this.topics = topics;
        this.settings = settings;
    }

    /** Makes sure every shared topic and the given pools' topics and groups exist as configured. */
    public void ensure(Collection<String> pools) {
        try {
            int nodes = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
            short rf = (short) Math.min(3, Math.max(1, nodes));
            List<NewTopic> wanted = new ArrayList<>();
            String week = Long.toString(Duration.ofDays(7).toMillis());
            wanted.add(topic(topics.events(), settings.eventPartitions(), rf, Map.of(
                    "cleanup.policy", "delete",
                    "retention.ms", Long.toString(settings.eventRetention().toMillis()))));
            wanted.add(topic(topics.jobs(), 4, rf, Map.of(
                    "cleanup.policy", "compact",
                    "min.cleanable.dirty.ratio", "0.2",
                    "segment.ms", Long.toString(Duration.ofHours(1).toMillis()))));
            wanted.add(topic(topics.results(), 4, rf, Map.of(
                    "cleanup.policy", "compact",
                    "max.message.bytes", Integer.toString(MAX_RESULT_BYTES + 64 * 1024),
                    "segment.ms", Long.toString(Duration.ofHours(1).toMillis()))));
            wanted.add(topic(topics.control(), 1, rf, Map.of(
                    "cleanup.policy", "delete",
                    "retention.ms", Long.toString(Duration.ofDays(1).toMillis()))));
            wanted.add(topic(topics.workers(), 1, rf, Map.of(
                    "cleanup.policy", "compact",
                    "segment.ms", Long.toString(Duration.ofMinutes(10).toMillis()),
                    "min.cleanable.dirty.ratio", "0.1")));
            for (String pool : pools) {
                wanted.add(topic(topics.requests(pool), settings.requestPartitions(), rf, Map.of(
                        "cleanup.policy", "delete",
                        "retention.ms", week)));
                wanted.add(topic(topics.deadLetters(pool), 1, rf, Map.of(
                        "cleanup.policy", "delete",
                        "retention.ms", week,
                        "errors.deadletterqueue.group.enable", "true")));
            }
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                    log.info("created topics {}", missing.stream().map(NewTopic::name).toList());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) throw e;
                }
            }
            configureGroups(pools);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up topics", e);
        } catch (ExecutionException | TimeoutException e) {
            // A timeout has no message of its own: name what happened rather than print "null".
            String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName() + " (no answer from Kafka)";
            throw new IllegalStateException("cannot set up genway's topics: " + why, e);
        }
    }

    private void configureGroups(Collection<String> pools) throws InterruptedException, ExecutionException, TimeoutException {
        Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
        for (String pool : pools) {
            ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, topics.poolGroup(pool));
            ops.put(group, List.of(
                    set("share.auto.offset.reset", "earliest"),
                    set("share.record.lock.duration.ms", Long.toString(settings.leaseDuration().toMillis())),
                    set("share.delivery.count.limit", Integer.toString(settings.deliveryLimit())),
                    set("errors.deadletterqueue.topic.name", topics.deadLetters(pool)),
                    // The dead letter carries the request itself (key and value), so whoever reads it can tell the client.
                    set("errors.deadletterqueue.copy.record.enable", "true")));
        }
        if (!ops.isEmpty()) admin.incrementalAlterConfigs(ops).all().get(30, TimeUnit.SECONDS);
    }

    private static AlterConfigOp set(String name, String value) {
        return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }

    private static NewTopic topic(String name, int partitions, short rf, Map<String, String> configs) {
        Map<String, String> all = new HashMap<>(configs);
        if (rf > 1) all.put("min.insync.replicas", "2");
        return new NewTopic(name, partitions, rf).configs(all);
    }
}
