package io.genway.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

    @TempDir
    Path dir;

    @Test
    void keepsRecordsAcrossARestartOnTheSameDirectory() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("t", 1, (short) 1))).all().get();
            }
            try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers(), "acks", "all"),
                    new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("t", "k", "kept")).get();
            }
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
            Properties props = new Properties();
            props.put("bootstrap.servers", kafka.bootstrapServers());
            try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
                TopicPartition tp = new TopicPartition("t", 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                ConsumerRecords<String, String> records = ConsumerRecords.empty();
                long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (records.isEmpty() && System.nanoTime() < until) records = consumer.poll(Duration.ofMillis(200));
                assertThat(records.records(tp)).extracting(r -> r.value()).containsExactly("kept");
            }
        }
    }
}
