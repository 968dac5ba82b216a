package dev.berth.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.report.BerthException;
import dev.berth.report.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small client of the Docker Registry HTTP API v2 (the OCI distribution API): manifests, blobs, uploads,
 * cross-repository mounts. Authentication follows the registry's {@code WWW-Authenticate} challenge (Basic,
 * or Bearer tokens fetched from the realm, anonymously or with Basic credentials). Every call has a connect
 * and a response timeout; idempotent steps are retried with backoff on 5xx, 429 and broken connections (an
 * upload cut half way is restarted from the beginning). Blobs are streamed, never buffered whole.
 */
public final class RegistryClient {
  /** Timeouts and retries of a client. */
  public record Settings(Duration connectTimeout, Duration requestTimeout, int attempts, long firstBackoffMillis,
      long minBytesPerSecond) {
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(10), Duration.ofSeconds(60), 5, 200, 512 * 1024);
    }
  }

  /** A blob being read: its length (-1 when the server did not say) and its bytes. */
  public record Blob(long length, InputStream stream) {}

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
  private static volatile HttpClient sharedHttp;

  private final URI base;
  private final RegistryCredentials.Source credentials;
  private final Settings settings;
  private final Sleeper sleeper;
  private final HttpClient http;
  private volatile String scheme; // "basic", "bearer", "none"; null until learned
  private volatile Map<String, String> bearerParams = Map.of();
  private final Map<String, String> tokens = new ConcurrentHashMap<>();

  public RegistryClient(URI base, RegistryCredentials.Source credentials, Settings settings, Sleeper sleeper) {
    String b = base.toString();
    this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
    this.credentials = credentials == null ? RegistryCredentials.Source.anonymous() : credentials;
    this.settings = settings;
    this.sleeper = sleeper;
    this.http = http(settings.connectTimeout());
  }

  /** A client for a registry host: plain http for loopback hosts, https for every other host. */
  public static RegistryClient forHost(String host, RegistryCredentials.Source credentials) {
    String scheme = ImageReference.isLoopback(host) ? "http" : "https";
    return new RegistryClient(URI.create(scheme + "://" + host), credentials, Settings.defaults(), Sleeper.REAL);
  }

  private static HttpClient http(Duration connectTimeout) {
    HttpClient h = sharedHttp;
    if (h == null) {
      synchronized (RegistryClient.class) {
        if (sharedHttp == null) {
          sharedHttp = HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .followRedirects(HttpClient.Redirect.NEVER)
              .connectTimeout(connectTimeout)
              .build();
        }
        h = sharedHttp;
      }
    }
    return h;
  }

  public URI base() {
    return base;
  }

  // ---------------------------------------------------------------- manifests

  /** The manifest under a tag or digest, or empty when the registry does not have it. */
  public Optional<Manifest> getManifest(String repository, String reference) {
    URI uri = uri("/v2/" + repository + "/manifests/" + reference);
    return retrying("GET manifest " + repository + ":" + reference, () -> {
      HttpResponse<byte[]> r = send(scope(repository, false), get(uri).header("Accept", Manifest.ACCEPT),
          HttpResponse.BodyHandlers.ofByteArray(), false);
      if (r.statusCode() == 404) {
        return Optional.empty();
      }
      expect(r, "GET manifest " + repository + ":" + reference, 200);
      String type = r.headers().firstValue("Content-Type").orElse(null);
      Manifest m = Manifest.of(r.body(), type);
      if (reference.startsWith("sha256:") && !m.digest().equals(reference)) {
        throw BerthException.failed("registry " + base + " served manifest " + m.digest() + " for " + repository
            + "@" + reference);
      }
      return Optional.of(m);
    });
  }

  /** The digest the registry has under a tag or digest, or empty when it has none. One HEAD request. */
  public Optional<String> manifestDigest(String repository, String reference) {
    URI uri = uri("/v2/" + repository + "/manifests/" + reference);
    Optional<String> header = retrying("HEAD manifest " + repository + ":" + reference, () -> {
      HttpResponse<Void> r = send(scope(repository, false), head(uri).header("Accept", Manifest.ACCEPT),
          HttpResponse.BodyHandlers.discarding(), false);
      if (r.statusCode() == 404) {
        return Optional.of("");
      }
      expect(r, "HEAD manifest " + repository + ":" + reference, 200);
      return r.headers().firstValue("Docker-Content-Digest");
    });
    if (header.isPresent()) {
      return header.get().isEmpty() ? Optional.empty() : header;
    }
    return getManifest(repository, reference).map(Manifest::digest);
  }

  /** Puts a manifest under a tag or digest with its original bytes and media type. */
  public void putManifest(String repository, String reference, Manifest manifest) {
    URI uri = uri("/v2/" + repository + "/manifests/" + reference);
    retrying("PUT manifest " + repository + ":" + reference, () -> {
      HttpResponse<byte[]> r = send(scope(repository, true), HttpRequest.newBuilder(uri)
              .timeout(settings.requestTimeout())
              .header("Content-Type", manifest.mediaType())
              .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest.bytes())),
          HttpResponse.BodyHandlers.ofByteArray(), true);
      expect(r, "PUT manifest " + repository + ":" + reference, 201, 200);
      String digest = r.headers().firstValue("Docker-Content-Digest").orElse(manifest.digest());
      if (!digest.equals(manifest.digest())) {
        throw BerthException.failed("registry " + base + " stored manifest " + repository + ":" + reference
            + " as " + digest + ", expected " + manifest.digest());
      }
      return null;
    });
  }

  // ---------------------------------------------------------------- blobs

  /** True when the repository has the blob (HEAD). */
  public boolean hasBlob(String repository, String digest) {
    URI uri = uri("/v2/" + repository + "/blobs/" + digest);
    return retrying("HEAD blob " + repository + "@" + Digests.shortForm(digest), () -> {
      HttpResponse<Void> r = send(scope(repository, true), head(uri), HttpResponse.BodyHandlers.discarding(), false);
      if (r.statusCode() == 404) {
        return false;
      }
      expect(r, "HEAD blob " + repository + "@" + digest, 200, 307, 302);
      return true;
    });
  }

  /**
   * Opens a blob for reading (streamed; the caller closes it). Redirects (to S3, a CDN) are followed without
   * the registry's Authorization header.
   */
  public Blob openBlob(String repository, String digest, long expectedSize) {
    URI uri = uri("/v2/" + repository + "/blobs/" + digest);
    String what = "GET blob " + repository + "@" + Digests.shortForm(digest);
    return retrying(what, () -> {
      HttpResponse<InputStream> r = send(scope(repository, false), get(uri, expectedSize),
          HttpResponse.BodyHandlers.ofInputStream(), false);
      for (int hops = 0; hops < 5 && isRedirect(r.statusCode()); hops++) {
        URI next = r.uri().resolve(r.headers().firstValue("Location")
            .orElseThrow(() -> BerthException.failed(what + ": redirect without Location")));
        r.body().close();
        r = http.send(get(next, expectedSize).build(), HttpResponse.BodyHandlers.ofInputStream());
      }
      if (r.statusCode() != 200) {
        String body = new String(r.body().readNBytes(2000), StandardCharsets.UTF_8);
        r.body().close();
        throw statusError(what, r.statusCode(), body, r.headers());
      }
      long length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
      return new Blob(length, r.body());
    });
  }

  /**
   * Mounts a blob from another repository of this registry. True when mounted; false when the registry
   * declined (the caller uploads instead).
   */
  public boolean mountBlob(String repository, String digest, String fromRepository) {
    URI uri = uri("/v2/" + repository + "/blobs/uploads/?mount=" + enc(digest) + "&from=" + enc(fromRepository));
    String scope = scope(repository, true) + " repository:" + fromRepository + ":pull";
    return retrying("mount blob " + Digests.shortForm(digest) + " from " + fromRepository, () -> {
      HttpResponse<Void> r = send(scope, HttpRequest.newBuilder(uri).timeout(settings.requestTimeout())
          .POST(HttpRequest.BodyPublishers.noBody()),
          HttpResponse.BodyHandlers.discarding(), true);
      if (r.statusCode() == 201) {
        return true;
      }
      if (r.statusCode() == 202) {
        cancelUpload(r);
        return false;
      }
      expect(r, "mount blob " + digest + " from " + fromRepository, 201, 202);
      return false;
    });
  }

  private void cancelUpload(HttpResponse<?> r) {
    Optional<String> location = r.headers().firstValue("Location");
    if (location.isEmpty()) {
      return;
    }
    try {
      http.send(withAuth(HttpRequest.newBuilder(r.uri().resolve(location.get())).timeout(settings.requestTimeout())
          .DELETE(), null).build(), HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      // an abandoned upload session expires on the registry's side
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Opens a blob's bytes anew for each attempt of an upload. */
  @FunctionalInterface
  public interface Content {
    InputStream open() throws IOException;
  }

  /**
   * Uploads a blob: POST starts a session, one PUT streams the bytes with their length and the digest (a
   * monolithic upload, no buffering). A failed attempt is restarted from the beginning with fresh content.
   */
  public void uploadBlob(String repository, String digest, long size, Content content) {
    String what = "upload blob " + Digests.shortForm(digest) + " to " + repository;
    String scope = scope(repository, true);
    retrying(what, () -> {
      HttpResponse<Void> started = send(scope, HttpRequest.newBuilder(uri("/v2/" + repository + "/blobs/uploads/"))
          .timeout(settings.requestTimeout())
          .POST(HttpRequest.BodyPublishers.noBody()), HttpResponse.BodyHandlers.discarding(), true);
      expect(started, what + " (start)", 202);
      String location = started.headers().firstValue("Location")
          .orElseThrow(() -> BerthException.failed(what + ": registry started no upload session (no Location)"));
      URI session = started.uri().resolve(location);
      String q = session.toString();
      URI put = URI.create(q + (q.contains("?") ? "&" : "?") + "digest=" + enc(digest));
      InputStream in = content.open();
      try {
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.fromPublisher(
            HttpRequest.BodyPublishers.ofInputStream(() -> in), size);
        HttpResponse<byte[]> r = send(scope, HttpRequest.newBuilder(put).timeout(transferTimeout(size))
            .header("Content-Type", "application/octet-stream").PUT(body),
            HttpResponse.BodyHandlers.ofByteArray(), true);
        expect(r, what, 201, 204);
      } finally {
        in.close();
      }
      return null;
    });
  }

  private Duration transferTimeout(long size) {
    long seconds = settings.requestTimeout().toSeconds() + Math.max(0, size) / settings.minBytesPerSecond();
    return Duration.ofSeconds(seconds);
  }

  // ---------------------------------------------------------------- auth and plumbing

  private static String scope(String repository, boolean push) {
    return "repository:" + repository + (push ? ":pull,push" : ":pull");
  }

  private HttpRequest.Builder get(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(settings.requestTimeout()).GET();
  }

  private HttpRequest.Builder get(URI uri, long size) {
    return HttpRequest.newBuilder(uri).timeout(transferTimeout(size)).GET();
  }

  private HttpRequest.Builder head(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(settings.requestTimeout())
        .method("HEAD", HttpRequest.BodyPublishers.noBody());
  }

  private URI uri(String path) {
    return URI.create(base + path);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  /**
   * Sends with the authorization the registry wants; on 401 learns the challenge, authenticates and sends
   * once more (only requests whose body can be sent twice: all but blob PUTs, which come after a POST that
   * already authenticated).
   */
  private <T> HttpResponse<T> send(String scope, HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler,
      boolean mutating) throws IOException, InterruptedException {
    ensureChallengeKnown();
    HttpRequest built = withAuth(request.copy(), scope).build();
    HttpResponse<T> r = http.send(built, handler);
    if (r.statusCode() != 401) {
      return r;
    }
    discard(r);
    String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
    learn(challenge);
    if ("bearer".equals(scheme)) {
      tokens.remove(scope);
    } else if ("basic".equals(scheme)) {
      credentials.invalidate();
    }
    HttpResponse<T> again = http.send(withAuth(request.copy(), scope).build(), handler);
    if (again.statusCode() == 401 || again.statusCode() == 403) {
      discard(again);
      throw BerthException.access("registry " + base + " refused " + built.method() + " " + built.uri().getPath()
          + " (HTTP " + again.statusCode() + "): " + (credentials.get() == null
          ? "no credentials were given" : "the credentials were not accepted"), null);
    }
    return again;
  }

  private static void discard(HttpResponse<?> r) {
    if (r.body() instanceof InputStream in) {
      try {
        in.close();
      } catch (IOException e) {
        // nothing to read anyway
      }
    }
  }

  private void ensureChallengeKnown() throws IOException, InterruptedException {
    if (scheme != null) {
      return;
    }
    synchronized (this) {
      if (scheme != null) {
        return;
      }
      HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri("/v2/")).timeout(settings.requestTimeout())
          .GET().build(), HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() == 401) {
        learn(r.headers().firstValue("WWW-Authenticate").orElse(""));
      } else {
        scheme = "none";
      }
    }
  }

  private synchronized void learn(String challenge) {
    String lower = challenge.toLowerCase(Locale.ROOT).trim();
    if (lower.startsWith("bearer")) {
      Map<String, String> params = new LinkedHashMap<>();
      Matcher m = PARAM.matcher(challenge);
      while (m.find()) {
        params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
      }
      bearerParams = params;
      scheme = "bearer";
    } else if (lower.startsWith("basic")) {
      scheme = "basic";
    } else {
      scheme = credentials.get() != null ? "basic" : "none";
    }
  }

  private HttpRequest.Builder withAuth(HttpRequest.Builder b, String scope) throws IOException, InterruptedException {
    String s = scheme;
    if ("basic".equals(s)) {
      RegistryCredentials c = credentials.get();
      if (c != null) {
        b.header("Authorization", c.basicHeader());
      }
    } else if ("bearer".equals(s) && scope != null) {
      String token = tokens.get(scope);
      if (token == null) {
        token = fetchToken(scope);
        tokens.put(scope, token);
      }
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private String fetchToken(String scope) throws IOException, InterruptedException {
    Map<String, String> p = bearerParams;
    String realm = p.get("realm");
    if (realm == null) {
      throw BerthException.access("registry " + base + " asked for a bearer token but named no realm", null);
    }
    StringBuilder q = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?");
    if (p.get("service") != null) {
      q.append("service=").append(enc(p.get("service"))).append('&');
    }
    for (String one : scope.split(" ")) {
      q.append("scope=").append(enc(one)).append('&');
    }
    URI tokenUri = URI.create(q.substring(0, q.length() - 1));
    if ("http".equals(tokenUri.getScheme()) && !ImageReference.isLoopback(tokenUri.getAuthority())) {
      throw BerthException.access("registry " + base + " sends credentials to a plain-http token realm "
          + tokenUri.getAuthority() + "; only loopback hosts may use http", null);
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(tokenUri).timeout(settings.requestTimeout()).GET();
    RegistryCredentials c = credentials.get();
    if (c != null) {
      b.header("Authorization", c.basicHeader());
    }
    HttpResponse<byte[]> r = retrying("GET token from " + tokenUri.getHost(),
        () -> http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray()));
    if (r.statusCode() != 200) {
      throw BerthException.access("token service " + tokenUri.getHost() + " refused a token for " + scope
          + " (HTTP " + r.statusCode() + ")" + (c == null ? ": no credentials were given" : ""), null);
    }
    JsonNode body = MAPPER.readTree(r.body());
    String token = body.hasNonNull("token") ? body.get("token").asText() : body.path("access_token").asText(null);
    if (token == null || token.isEmpty()) {
      throw BerthException.access("token service " + tokenUri.getHost() + " answered without a token", null);
    }
    dev.berth.report.SecretMasker.global().register(token);
    return token;
  }

  private void expect(HttpResponse<?> r, String what, int... ok) throws IOException {
    for (int code : ok) {
      if (r.statusCode() == code) {
        return;
      }
    }
    String body = "";
    if (r.body() instanceof byte[] bytes) {
      body = new String(bytes, 0, Math.min(bytes.length, 2000), StandardCharsets.UTF_8);
    } else if (r.body() instanceof InputStream in) {
      body = new String(in.readNBytes(2000), StandardCharsets.UTF_8);
      in.close();
    }
    throw statusError(what, r.statusCode(), body, r.headers());
  }

  private BerthException statusError(String what, int status, String body, HttpHeaders headers) {
    String detail = errorDetail(body);
    String message = what + " at " + base + " failed: HTTP " + status + (detail.isEmpty() ? "" : ": " + detail);
    if (status == 401 || status == 403) {
      return BerthException.access(message, null);
    }
    if (status >= 500 || status == 429) {
      return new Retryable(message, headers.firstValueAsLong("Retry-After").orElse(-1));
    }
    return BerthException.failed(message);
  }

  private static String errorDetail(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    try {
      JsonNode errors = MAPPER.readTree(body).path("errors");
      StringBuilder sb = new StringBuilder();
      for (JsonNode e : errors) {
        if (sb.length() > 0) {
          sb.append("; ");
        }
        sb.append(e.path("code").asText("")).append(' ').append(e.path("message").asText(""));
      }
      if (sb.length() > 0) {
        return sb.toString().trim();
      }
    } catch (IOException | RuntimeException e) {
      // not the registry's JSON error document: show the start of the text
    }
    String oneLine = body.replaceAll("\\s+", " ").trim();
    return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
  }

  /** A 5xx or 429: worth another attempt. */
  static final class Retryable extends BerthException {
    final long retryAfterSeconds;

    Retryable(String message, long retryAfterSeconds) {
      super(Outcome.FAILED, message);
      this.retryAfterSeconds = retryAfterSeconds;
    }
  }

  @FunctionalInterface
  interface Attempt<T> {
    T run() throws IOException, InterruptedException;
  }

  <T> T retrying(String what, Attempt<T> attempt) {
    long backoff = settings.firstBackoffMillis();
    for (int i = 1; ; i++) {
      try {
        return attempt.run();
      } catch (Retryable e) {
        if (i >= settings.attempts()) {
          throw BerthException.failed(e.getMessage() + " (after " + i + " attempts)", e);
        }
        long wait = e.retryAfterSeconds > 0 ? Math.min(e.retryAfterSeconds * 1000, 30_000) : backoff;
        pause(wait);
      } catch (IOException e) {
        if (i >= settings.attempts()) {
          Outcome outcome = e instanceof HttpTimeoutException ? Outcome.TIMED_OUT : Outcome.ACCESS;
          throw new BerthException(outcome, what + " at " + base + " failed after " + i + " attempts: "
              + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
        pause(backoff);
      } catch (UncheckedIOException e) {
        if (i >= settings.attempts()) {
          throw new BerthException(Outcome.ACCESS, what + " at " + base + " failed after " + i + " attempts: "
              + e.getCause().getMessage(), e);
        }
        pause(backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw BerthException.failed(what + " was interrupted", e);
      }
      backoff = Math.min(backoff * 2, 5_000);
    }
  }

  private void pause(long millis) {
    try {
      sleeper.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw BerthException.failed("interrupted while waiting to retry", e);
    }
  }

  @Override
  public String toString() {
    return "RegistryClient[" + base + "]";
  }
}
