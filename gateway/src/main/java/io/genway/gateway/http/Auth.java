package io.genway.gateway.http;

import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * API keys: when configured, every /v1 call needs one as a bearer token. A request's owner is a hash of its key
 * (never the key itself, which would otherwise sit in Kafka); jobs are visible to their owner only.
 */
public final class Auth {
    static final String OWNER = "genway.owner";
    private final Set<String> keyHashes;

    public Auth(List<String> apiKeys) {
        this.keyHashes = apiKeys.stream().map(Auth::hash).collect(Collectors.toUnmodifiableSet());
    }

    public void check(RoutingContext ctx) {
        if (keyHashes.isEmpty()) {
            ctx.put(OWNER, "");
            ctx.next();
            return;
        }
        String header = ctx.request().getHeader("Authorization");
        String key = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
        String hash = key == null ? null : hash(key);
        if (hash == null || !keyHashes.contains(hash)) {
            ctx.fail(ApiError.unauthorized());
            return;
        }
        ctx.put(OWNER, hash);
        ctx.next();
    }

    static String owner(RoutingContext ctx) {
        String owner = ctx.get(OWNER);
        return owner == null ? "" : owner;
    }

    private static String hash(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
