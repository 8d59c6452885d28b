package io.genway.gateway;

/**
 * The HTTP edge. {@code start} returns once the gateway serves requests (its job view rebuilt from Kafka);
 * {@code close} stops accepting, lets open streams end (up to a grace period) and closes its Kafka clients.
 */
public final class Gateway implements AutoCloseable {

    public static Gateway start(GatewaySettings settings) {
        throw new UnsupportedOperationException("under construction");
    }

    /** The bound HTTP port. */
    public int port() {
        throw new UnsupportedOperationException("under construction");
    }

    @Override
    public void close() {
    }
}
