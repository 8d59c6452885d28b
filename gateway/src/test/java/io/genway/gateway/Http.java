package io.genway.gateway;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** A real HTTP client for tests, with the SSE parsing a client would do. */
final class Http {
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    record Sse(String id, String event, String data) {
        JsonObject json() {
            return new JsonObject(data);
        }
    }

    static HttpResponse<String> post(String url, String body, String... headers) {
        return send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json"), headers);
    }

    static HttpResponse<String> get(String url, String... headers) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET(), headers);
    }

    static HttpResponse<String> delete(String url, String... headers) {
        return send(HttpRequest.newBuilder(URI.create(url)).DELETE(), headers);
    }

    static HttpResponse<byte[]> getBytes(String url, String... headers) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET().timeout(Duration.ofSeconds(60));
            if (headers.length > 0) b.headers(headers);
            return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static HttpResponse<Stream<String>> stream(String url, String body, String... headers) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
            b = body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
            if (headers.length > 0) b.headers(headers);
            return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofLines());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Reads SSE events until the stream ends (or {@code [DONE]}); comments are skipped. */
    static List<Sse> events(HttpResponse<Stream<String>> response) {
        List<Sse> out = new ArrayList<>();
        String id = null;
        String event = null;
        StringBuilder data = null;
        for (String line : (Iterable<String>) response.body()::iterator) {
            if (line.isEmpty()) {
                if (data != null) out.add(new Sse(id, event, data.toString()));
                if (data != null && data.toString().equals("[DONE]")) break;
                id = null;
                event = null;
                data = null;
            } else if (line.startsWith("id: ")) {
                id = line.substring(4);
            } else if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("data: ")) {
                data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
            }
        }
        response.body().close();
        return out;
    }

    private static HttpResponse<String> send(HttpRequest.Builder builder, String... headers) {
        try {
            if (headers.length > 0) builder.headers(headers);
            return CLIENT.send(builder.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
