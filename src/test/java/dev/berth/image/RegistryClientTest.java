package dev.berth.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.berth.report.BerthException;
import dev.berth.report.Outcome;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The registry client against a scripted in-process HTTP server: auth flows, retries, restarts, redirects. */
class RegistryClientTest {
  HttpServer server;
  URI base;
  final List<Long> sleeps = Collections.synchronizedList(new ArrayList<>());
  final List<String> log = Collections.synchronizedList(new ArrayList<>());
  final Map<String, Consumer<HttpExchange>> routes = new ConcurrentHashMap<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      String key = ex.getRequestMethod() + " " + ex.getRequestURI().getPath();
      log.add(key + (ex.getRequestURI().getQuery() == null ? "" : "?" + ex.getRequestURI().getQuery()) + " auth="
          + ex.getRequestHeaders().getFirst("Authorization"));
      Consumer<HttpExchange> h = routes.get(key);
      if (h == null) {
        reply(ex, 404, "{\"errors\":[{\"code\":\"NOT_FOUND\",\"message\":\"no route " + key + "\"}]}", Map.of());
      } else {
        h.accept(ex);
      }
    });
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    routes.put("GET /v2/", ex -> reply(ex, 200, "{}", Map.of()));
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  RegistryClient client(RegistryCredentials credentials) {
    return new RegistryClient(base, RegistryCredentials.Source.of(credentials),
        new RegistryClient.Settings(Duration.ofSeconds(2), Duration.ofSeconds(5), 4, 100), sleeps::add);
  }

  static void reply(HttpExchange ex, int status, String body, Map<String, String> headers) {
    try (ex) {
      ex.getRequestBody().readAllBytes();
      headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      if ("HEAD".equals(ex.getRequestMethod())) {
        ex.sendResponseHeaders(status, -1);
      } else {
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        ex.getResponseBody().write(b);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static final String MANIFEST = "{\"schemaVersion\":2,\"mediaType\":\"" + Manifest.OCI_MANIFEST
      + "\",\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:" + "a".repeat(64) + "\",\"size\":2},\"layers\":[]}";

  @Test
  void getManifest_withBearerChallenge_fetchesScopedTokenWithBasicCredentials() {
    routes.put("GET /v2/", ex -> reply(ex, 401, "", Map.of("WWW-Authenticate",
        "Bearer realm=\"" + base + "/token\",service=\"reg.test\"")));
    routes.put("GET /token", ex -> {
      boolean ok = new RegistryCredentials("u", "p").basicHeader().equals(ex.getRequestHeaders().getFirst("Authorization"))
          && ex.getRequestURI().getQuery().contains("scope=repository:lib/app:pull")
          && ex.getRequestURI().getQuery().contains("service=reg.test");
      reply(ex, ok ? 200 : 401, ok ? "{\"token\":\"tok-123\"}" : "", Map.of());
    });
    routes.put("GET /v2/lib/app/manifests/1", ex -> {
      boolean ok = "Bearer tok-123".equals(ex.getRequestHeaders().getFirst("Authorization"));
      reply(ex, ok ? 200 : 401, ok ? MANIFEST : "", ok ? Map.of("Content-Type", Manifest.OCI_MANIFEST)
          : Map.of("WWW-Authenticate", "Bearer realm=\"" + base + "/token\",service=\"reg.test\""));
    });

    Manifest m = client(new RegistryCredentials("u", "p")).getManifest("lib/app", "1").orElseThrow();

    assertArrayEquals(MANIFEST.getBytes(StandardCharsets.UTF_8), m.bytes());
    assertEquals(Manifest.OCI_MANIFEST, m.mediaType());
    assertEquals(Digests.sha256(MANIFEST.getBytes(StandardCharsets.UTF_8)), m.digest());
    assertTrue(dev.berth.report.SecretMasker.global().mask("x tok-123 y").contains("***"), "token registered");
  }

  @Test
  void basicChallenge_wrongCredentials_isAccessError() {
    routes.put("GET /v2/", ex -> reply(ex, 401, "", Map.of("WWW-Authenticate", "Basic realm=\"r\"")));
    routes.put("HEAD /v2/app/blobs/sha256:" + "b".repeat(64), ex -> reply(ex, 401, "",
        Map.of("WWW-Authenticate", "Basic realm=\"r\"")));

    BerthException e = assertThrows(BerthException.class,
        () -> client(new RegistryCredentials("AWS", "bad")).hasBlob("app", "sha256:" + "b".repeat(64)));

    assertEquals(Outcome.ACCESS, e.outcome());
    assertFalse(e.getMessage().contains("bad"));
  }

  @Test
  void putManifest_5xxThenSuccess_isRetriedWithBackoff() {
    AtomicInteger calls = new AtomicInteger();
    routes.put("PUT /v2/app/manifests/v1", ex -> {
      if (calls.incrementAndGet() < 3) {
        reply(ex, 503, "busy", Map.of());
      } else {
        reply(ex, 201, "", Map.of());
      }
    });
    Manifest m = Manifest.of(MANIFEST.getBytes(StandardCharsets.UTF_8), Manifest.OCI_MANIFEST);

    client(null).putManifest("app", "v1", m);

    assertEquals(3, calls.get());
    assertEquals(List.of(100L, 200L), sleeps);
  }

  @Test
  void tooManyRequests_honoursRetryAfter() {
    AtomicInteger calls = new AtomicInteger();
    routes.put("HEAD /v2/app/blobs/sha256:" + "c".repeat(64), ex -> reply(ex,
        calls.incrementAndGet() == 1 ? 429 : 200, "", calls.get() == 1 ? Map.of("Retry-After", "3") : Map.of()));

    assertTrue(client(null).hasBlob("app", "sha256:" + "c".repeat(64)));
    assertEquals(List.of(3000L), sleeps);
  }

  @Test
  void putManifest_400_isNotRetriedAndNamesTheRegistryError() {
    routes.put("PUT /v2/app/manifests/v1", ex -> reply(ex, 400,
        "{\"errors\":[{\"code\":\"MANIFEST_BLOB_UNKNOWN\",\"message\":\"blob unknown to registry\"}]}", Map.of()));
    Manifest m = Manifest.of(MANIFEST.getBytes(StandardCharsets.UTF_8), Manifest.OCI_MANIFEST);

    BerthException e = assertThrows(BerthException.class, () -> client(null).putManifest("app", "v1", m));

    assertEquals(Outcome.FAILED, e.outcome());
    assertTrue(e.getMessage().contains("MANIFEST_BLOB_UNKNOWN blob unknown to registry"), e.getMessage());
    assertTrue(sleeps.isEmpty());
  }

  @Test
  void uploadBlob_cutHalfWay_isRestartedFromTheBeginning() {
    byte[] data = new byte[300_000];
    new java.util.Random(1).nextBytes(data);
    String digest = Digests.sha256(data);
    AtomicInteger sessions = new AtomicInteger();
    List<Integer> received = Collections.synchronizedList(new ArrayList<>());
    routes.put("POST /v2/app/blobs/uploads/", ex -> reply(ex, 202, "",
        Map.of("Location", "/v2/app/blobs/uploads/s" + sessions.incrementAndGet() + "?_state=x")));
    Consumer<HttpExchange> put = ex -> {
      try {
        if (ex.getRequestURI().getPath().endsWith("/s1")) {
          ex.getRequestBody().readNBytes(1000);
          ex.close(); // connection cut before any answer
          return;
        }
        byte[] body = ex.getRequestBody().readAllBytes();
        received.add(body.length);
        boolean ok = ex.getRequestURI().getQuery().contains("digest=" + digest)
            && Digests.sha256(body).equals(digest);
        reply(ex, ok ? 201 : 400, "", Map.of());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
    routes.put("PUT /v2/app/blobs/uploads/s1", put);
    routes.put("PUT /v2/app/blobs/uploads/s2", put);
    AtomicInteger opened = new AtomicInteger();

    client(null).uploadBlob("app", digest, data.length, () -> {
      opened.incrementAndGet();
      return new ByteArrayInputStream(data);
    });

    assertEquals(2, opened.get(), "content opened again for the second attempt");
    assertEquals(2, sessions.get(), "a new upload session");
    assertEquals(List.of(data.length), received);
    assertEquals(1, sleeps.size());
  }

  @Test
  void openBlob_redirect_isFollowedWithoutAuthorization() throws IOException {
    routes.put("GET /v2/", ex -> reply(ex, 401, "", Map.of("WWW-Authenticate", "Basic realm=\"r\"")));
    String digest = "sha256:" + "d".repeat(64);
    routes.put("GET /v2/app/blobs/" + digest, ex -> reply(ex, 307, "", Map.of("Location", base + "/storage/obj?sig=1")));
    routes.put("GET /storage/obj", ex -> reply(ex, ex.getRequestHeaders().containsKey("Authorization") ? 400 : 200,
        "blob-bytes", Map.of()));

    RegistryClient.Blob blob = client(new RegistryCredentials("u", "p")).openBlob("app", digest);

    try (InputStream in = blob.stream()) {
      assertEquals("blob-bytes", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    assertEquals(10, blob.length());
    assertTrue(log.stream().anyMatch(l -> l.startsWith("GET /storage/obj") && l.endsWith("auth=null")), log.toString());
  }

  @Test
  void mountBlob_declined_cancelsTheSessionAndReportsFalse() {
    String digest = "sha256:" + "e".repeat(64);
    routes.put("POST /v2/app/blobs/uploads/", ex -> reply(ex, 202, "", Map.of("Location", "/v2/app/blobs/uploads/u1")));
    routes.put("DELETE /v2/app/blobs/uploads/u1", ex -> reply(ex, 204, "", Map.of()));

    assertFalse(client(null).mountBlob("app", digest, "base"));
    assertTrue(log.stream().anyMatch(l -> l.contains("mount=" + digest) && l.contains("from=base")),
        log.toString());
    assertTrue(log.stream().anyMatch(l -> l.startsWith("DELETE /v2/app/blobs/uploads/u1")), log.toString());
  }

  @Test
  void manifestDigest_missingTag_isEmpty_presentTag_isTheHeader() {
    routes.put("HEAD /v2/app/manifests/v1", ex -> reply(ex, 200, "", Map.of("Docker-Content-Digest",
        "sha256:" + "f".repeat(64))));

    assertEquals("sha256:" + "f".repeat(64), client(null).manifestDigest("app", "v1").orElseThrow());
    assertTrue(client(null).manifestDigest("app", "v2").isEmpty());
  }

  @Test
  void connectionRefused_afterAllAttempts_isAccessErrorNamingTheRegistry() {
    server.stop(0);
    BerthException e = assertThrows(BerthException.class, () -> client(null).hasBlob("app", "sha256:" + "0".repeat(64)));
    assertEquals(Outcome.ACCESS, e.outcome());
  }
}
