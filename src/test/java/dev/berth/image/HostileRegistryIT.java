package dev.berth.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.berth.report.BerthException;
import dev.berth.testbed.Berth;
import dev.berth.testbed.MotoServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A registry run by an attacker, on loopback: it points a Bearer realm, an upload session and a blob redirect at
 * another host it also runs (127.0.0.2, a different host of the loopback network), sends endless manifests and
 * token answers, and echoes the Authorization header it receives. berth must send credentials only to the host
 * that challenged for them, bound every read, refuse redirects it cannot follow safely, and mask the header.
 */
class HostileRegistryIT {
  static final RegistryCredentials ECR = new RegistryCredentials("AWS", "ecr-token-" + System.nanoTime());

  /** A loopback HTTP server recording the Authorization header of every request it receives. */
  static final class Server implements AutoCloseable {
    final HttpServer http;
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final List<String> paths = new CopyOnWriteArrayList<>();

    Server(String address, Handler handler) throws IOException {
      http = HttpServer.create(new InetSocketAddress(address, 0), 16);
      http.createContext("/", ex -> {
        paths.add(ex.getRequestMethod() + " " + ex.getRequestURI());
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        authorizations.add(auth == null ? "" : auth);
        ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
        try {
          handler.handle(ex);
        } catch (IOException e) {
          // the client stopped reading (an endless answer)
        } finally {
          ex.close();
        }
      });
      http.start();
    }

    String origin() {
      return "http://" + http.getAddress().getHostString() + ":" + http.getAddress().getPort();
    }

    @Override
    public void close() {
      http.stop(0);
    }
  }

  @FunctionalInterface
  interface Handler {
    void handle(HttpExchange ex) throws IOException;
  }

  final List<Server> servers = new CopyOnWriteArrayList<>();

  Server server(String address, Handler h) throws IOException {
    Server s = new Server(address, h);
    servers.add(s);
    return s;
  }

  @AfterEach
  void stop() {
    servers.forEach(Server::close);
  }

  static void answer(HttpExchange ex, int status, Map<String, String> headers, String body) throws IOException {
    headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
    if (b.length > 0) {
      ex.getResponseBody().write(b);
    }
  }

  /** An answer that never ends (chunked), as a hostile server can send. */
  static void endless(HttpExchange ex, String contentType) throws IOException {
    ex.getResponseHeaders().add("Content-Type", contentType);
    ex.sendResponseHeaders(200, 0);
    byte[] chunk = new byte[64 * 1024];
    java.util.Arrays.fill(chunk, (byte) ' ');
    OutputStream out = ex.getResponseBody();
    out.write('{');
    for (int i = 0; i < 100_000; i++) { // 6 GB at most; the client must stop long before
      out.write(chunk);
    }
  }

  RegistryClient client(Server registry, boolean ecr) {
    RegistryClient c = new RegistryClient(URI.create(registry.origin()), RegistryCredentials.Source.of(ECR),
        new RegistryClient.Settings(java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(10), 1, 1),
        Sleeper.REAL);
    return ecr ? c.assumingBasicAuth() : c;
  }

  @Test
  void ecrToken_whenTheRegistryNamesABearerRealmOnAnotherHost_isNotSentThere() throws Exception {
    Server evil = server("127.0.0.2", ex -> answer(ex, 200, Map.of("Content-Type", "application/json"),
        "{\"token\":\"evil-token\"}"));
    Server registry = server("127.0.0.1", ex -> {
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      if (auth == null || !auth.equals("Bearer evil-token")) {
        answer(ex, 401, Map.of("WWW-Authenticate", "Bearer realm=\"" + evil.origin() + "/token\",service=\"x\""), "");
      } else {
        answer(ex, 404, Map.of(), "");
      }
    });

    client(registry, true).hasBlob("app", "sha256:" + "a".repeat(64));

    assertEquals(1, evil.paths.size(), evil.paths.toString());
    assertEquals(List.of(""), evil.authorizations, "the ECR token went to the realm's host");
  }

  @Test
  void ecrToken_whenAnUploadLocationIsOnAnotherHost_isNotSentThere() throws Exception {
    Server evil = server("127.0.0.2", ex -> answer(ex, 201, Map.of(), ""));
    Server registry = server("127.0.0.1", ex -> {
      if (ex.getRequestMethod().equals("POST")) {
        answer(ex, 202, Map.of("Location", evil.origin() + "/upload/1"), "");
      } else {
        answer(ex, 404, Map.of(), "");
      }
    });
    byte[] blob = "layer".getBytes(StandardCharsets.UTF_8);

    client(registry, true).uploadBlob("app", Digests.sha256(blob), blob.length, () -> new ByteArrayInputStream(blob));

    assertEquals(1, evil.paths.size(), evil.paths.toString());
    assertEquals(List.of(""), evil.authorizations, "the ECR token went to the upload location's host");
    assertTrue(registry.authorizations.stream().allMatch(a -> a.equals(ECR.basicHeader())), registry.authorizations.toString());
  }

  @Test
  void blobRedirect_toAFileOrPlainHttpUrl_isAClearError() throws Exception {
    for (String location : List.of("file:///etc/passwd", "http://registry.example.invalid/blob", "ftp://x/y")) {
      Server registry = server("127.0.0.1", ex -> answer(ex, 307, Map.of("Location", location), ""));

      BerthException e = assertThrows(BerthException.class,
          () -> client(registry, false).openBlob("app", "sha256:" + "b".repeat(64)));

      assertTrue(e.getMessage().contains("does not follow"), location + ": " + e.getMessage());
    }
  }

  @Test
  void manifest_endless_isRefusedAtFourMebibytes() throws Exception {
    Server registry = server("127.0.0.1", ex -> endless(ex, Manifest.OCI_MANIFEST));
    long t0 = System.nanoTime();

    BerthException e = assertThrows(BerthException.class, () -> client(registry, false).getManifest("app", "1"));

    assertTrue(e.getMessage().contains("4 MiB"), e.getMessage());
    assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "stopped early");
  }

  @Test
  void tokenAnswer_endless_isRefused() throws Exception {
    Server tokens = server("127.0.0.1", ex -> endless(ex, "application/json"));
    Server registry = server("127.0.0.1", ex -> answer(ex, 401,
        Map.of("WWW-Authenticate", "Bearer realm=\"" + tokens.origin() + "/token\""), ""));

    BerthException e = assertThrows(BerthException.class, () -> client(registry, false).getManifest("app", "1"));

    assertTrue(e.getMessage().contains("1 MiB"), e.getMessage());
  }

  @Test
  void sourceBasicHeader_echoedByTheRegistry_isMaskedInEveryOutput() throws Exception {
    MotoServer moto = MotoServer.shared();
    moto.reset();
    String password = "source-password-" + System.nanoTime();
    String header = Base64.getEncoder().encodeToString(("puller:" + password).getBytes(StandardCharsets.UTF_8));
    Server registry = server("127.0.0.1", ex -> {
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      if (auth == null) {
        answer(ex, 401, Map.of("WWW-Authenticate", "Basic realm=\"x\""), "");
      } else {
        answer(ex, 400, Map.of("Content-Type", "application/json"), "{\"errors\":[{\"code\":\"DENIED\","
            + "\"message\":\"you sent " + auth + "\"}]}");
      }
    });
    String host = registry.origin().substring("http://".length());

    Berth.Run run = Berth.inProcess(Map.of("BERTH_SOURCE_PASSWORD", password, "DOCKER_CONFIG", "/nonexistent"),
        "ecr-push", "--region", MotoServer.REGION, "--endpoint-url", moto.endpoint().toString(),
        "--repository", "masked", "--image", host + "/app:1", "--source-username", "puller");

    assertEquals(1, run.exitCode(), run.toString());
    assertTrue(registry.authorizations.contains("Basic " + header), "the registry was asked with the header");
    assertTrue(run.stderr().contains("you sent"), run.stderr());
    assertFalse(run.stdout().contains(header) || run.stderr().contains(header), run.toString());
  }
}
