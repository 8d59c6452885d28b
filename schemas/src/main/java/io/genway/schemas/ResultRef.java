package io.genway.schemas;

/** A claim check: where a finished result (an image, a text completion) lies in the {@code results} topic. */
public record ResultRef(String key, int partition, long offset, String contentType, int bytes) {
}
