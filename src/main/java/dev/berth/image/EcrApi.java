package dev.berth.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.report.BerthException;
import dev.berth.report.IamRefusals;
import dev.berth.report.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The few ECR API operations ecr-push needs (DescribeRepositories, CreateRepository, Get/PutLifecyclePolicy,
 * GetAuthorizationToken), as JSON calls over {@link HttpURLConnection}. A short push spends most of its time
 * starting the AWS SDK's ECR client (about 2 s of class loading on a small machine); these five calls do not need
 * it. The parts that must be right are the SDK's own or follow it: requests are signed as its signer signs them
 * ({@link dev.berth.aws.SigV4}, with the clock corrected when the service reports a skew), the endpoint comes
 * from its endpoint metadata (every partition, FIPS, dual-stack), region and credentials from the same chains as the SDK clients of the other steps, and the
 * calls go through the environment's HTTPS_PROXY / HTTP_PROXY unless NO_PROXY names the host. Retries with
 * backoff on throttling, 5xx and broken connections; every call has connect and read timeouts.
 */
public final class EcrApi {
  /** AWS credentials for signing; {@code toString} hides the secret. */
  public record Credentials(String accessKeyId, String secretAccessKey, String sessionToken) {
    @Override
    public String toString() {
      return "Credentials[" + accessKeyId + ", ***]";
    }
  }

  /** An error answered by ECR: its code ({@code RepositoryNotFoundException}) and HTTP status. */
  public static final class ServiceError extends BerthException {
    private final String code;
    private final int status;

    ServiceError(Outcome outcome, String message, String code, int status) {
      super(outcome, message);
      this.code = code;
      this.status = status;
    }

    public String code() {
      return code;
    }

    public int status() {
      return status;
    }
  }

  static final String TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921.";
  private static final Set<String> ACCESS_CODES = Set.of("AccessDeniedException", "AccessDenied",
      "UnrecognizedClientException", "InvalidSignatureException", "SignatureDoesNotMatch", "ExpiredTokenException",
      "ExpiredToken", "MissingAuthenticationTokenException", "IncompleteSignature", "InvalidClientTokenId",
      "UnauthorizedOperation", "RequestExpired");
  private static final Set<String> RETRY_CODES = Set.of("ThrottlingException", "Throttling",
      "TooManyRequestsException", "RequestLimitExceeded", "ServiceUnavailable", "ServerException",
      "InternalFailure");

  /** What AWS answers to a request signed with a clock too far from its own. */
  private static final Set<String> SKEW_CODES = Set.of("RequestTimeTooSkewed", "RequestExpired",
      "InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure");

  private volatile java.time.Duration skew = java.time.Duration.ZERO;
  private final URI endpoint;
  private final String region;
  private final Supplier<Credentials> credentials;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Consumer<String> callLog;
  private int connectTimeoutMillis = 10_000;
  private int readTimeoutMillis = 30_000;
  private int maxAttempts = 5;
  private long callDeadlineMillis = Long.MAX_VALUE;
  private static final ProxyConfig DEFAULT_PROXIES = ProxyConfig.from(System.getenv());
  private ProxyConfig proxies = DEFAULT_PROXIES;

  /**
   * The same bounds as berth's SDK clients (AwsSettings / BERTH_AWS_*): connect timeout, attempt (read)
   * timeout, attempts per call, and a deadline for one call including its retries.
   */
  public EcrApi withTimeouts(java.time.Duration connect, java.time.Duration attempt, java.time.Duration call,
      int attempts) {
    this.connectTimeoutMillis = (int) Math.max(1, connect.toMillis());
    this.readTimeoutMillis = (int) Math.max(1, attempt.toMillis());
    this.callDeadlineMillis = call.toMillis();
    this.maxAttempts = Math.max(1, attempts);
    return this;
  }

  /**
   * Uses these proxies (HTTPS_PROXY / HTTP_PROXY / NO_PROXY as {@link ProxyConfig} reads them) instead of the
   * process environment's: the same proxy as the registry's requests and the SDK clients of the other steps.
   */
  public EcrApi withProxies(ProxyConfig proxies) {
    this.proxies = proxies;
    return this;
  }

  public EcrApi(URI endpoint, String region, Supplier<Credentials> credentials, Clock clock, Sleeper sleeper,
      Consumer<String> callLog) {
    this.endpoint = endpoint;
    this.region = region;
    this.credentials = credentials;
    this.clock = clock;
    this.sleeper = sleeper;
    this.callLog = callLog == null ? a -> { } : callLog;
  }

  /**
   * ECR's endpoint in a region, from the SDK's endpoint metadata for ECR ({@code api.ecr}: every partition such as
   * aws-cn, aws-us-gov, aws-iso and aws-eusc; FIPS and dual-stack variants when asked for). The metadata ships in
   * the SDK's regions module, which berth loads anyway; the ECR client module with its rules engine is not on
   * berth's runtime class path.
   */
  public static URI defaultEndpoint(String region, boolean fips, boolean dualStack) {
    try {
      return dev.berth.aws.AwsEndpoints.of("api.ecr", region, fips, dualStack);
    } catch (RuntimeException e) {
      throw new dev.berth.report.InvalidInputException("--region", "no ECR endpoint for region " + region
          + (fips ? " with FIPS" : "") + (dualStack ? " with dual-stack" : "") + ": " + e.getMessage());
    }
  }

  /** ECR's endpoint in a region (no FIPS, no dual-stack). */
  public static URI defaultEndpoint(String region) {
    return defaultEndpoint(region, false, false);
  }

  /** A new request body. */
  public static Map<String, Object> object() {
    return new LinkedHashMap<>();
  }

  /** Calls an operation with a JSON body; returns the JSON answer or throws {@link ServiceError}. */
  public JsonNode call(String operation, Map<String, Object> body) {
    byte[] payload = dev.berth.report.Json.write(body).getBytes(StandardCharsets.UTF_8);
    callLog.accept("ecr:" + operation);
    long backoff = 200;
    long start = System.nanoTime();
    for (int attempt = 1; ; attempt++) {
      long left = callDeadlineMillis - (System.nanoTime() - start) / 1_000_000;
      if (left <= 0) {
        throw new BerthException(Outcome.TIMED_OUT, "ECR " + operation + " at " + endpoint + " timed out: no answer"
            + " within " + callDeadlineMillis + " ms (" + (attempt - 1) + " attempts)");
      }
      try {
        return once(operation, payload, (int) Math.min(readTimeoutMillis, left));
      } catch (ServiceError e) {
        boolean retry = e.status() >= 500 || e.status() == 429 || RETRY_CODES.contains(e.code());
        if (!retry || attempt >= maxAttempts) {
          throw e;
        }
      } catch (IOException e) {
        if (attempt >= maxAttempts) {
          Outcome outcome = e instanceof SocketTimeoutException ? Outcome.TIMED_OUT : Outcome.ACCESS;
          throw new BerthException(outcome, "ECR " + operation + " at " + endpoint + " failed after " + attempt
              + " attempts: cannot reach AWS: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
      }
      try {
        sleeper.sleep(backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw BerthException.failed("ECR " + operation + " interrupted", e);
      }
      backoff = Math.min(backoff * 2, 5000);
    }
  }

  private JsonNode once(String operation, byte[] payload, int readTimeout) throws IOException {
    Credentials creds = credentials.get();
    String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
    URI uri = endpoint.resolve(path);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/x-amz-json-1.1");
    headers.put("X-Amz-Target", TARGET_PREFIX + operation);
    // SigV4 as the SDK's signer computes it, with the clock corrected by the skew the service reported
    Map<String, String> signed = dev.berth.aws.SigV4.sign("POST", uri, headers, payload, creds.accessKeyId(),
        creds.secretAccessKey(), creds.sessionToken() == null || creds.sessionToken().isEmpty() ? null
            : creds.sessionToken(), region, "ecr", (skew.isZero() ? clock.instant() : clock.instant().plus(skew)));

    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection(proxies.proxyFor(uri));
    c.setRequestMethod("POST");
    c.setConnectTimeout(Math.min(connectTimeoutMillis, readTimeout));
    c.setReadTimeout(readTimeout);
    c.setUseCaches(false);
    signed.forEach((k, v) -> {
      if (!k.equalsIgnoreCase("host")) {
        c.setRequestProperty(k, v);
      }
    });
    c.setDoOutput(true);
    c.setFixedLengthStreamingMode(payload.length);
    try (OutputStream out = c.getOutputStream()) {
      out.write(payload);
    }
    int status = c.getResponseCode();
    InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
    byte[] answer = in == null ? new byte[0] : readAll(in);
    JsonNode json;
    try {
      json = answer.length == 0 ? dev.berth.report.Json.mapper().createObjectNode() : JsonDocs.parse(answer);
    } catch (IllegalArgumentException e) {
      if (status < 300) {
        throw new ServiceError(Outcome.FAILED, "ECR " + operation + " answered a document berth cannot read: "
            + e.getMessage(), "", status);
      }
      json = dev.berth.report.Json.mapper().createObjectNode().put("message",
          new String(answer, 0, Math.min(answer.length, 500), StandardCharsets.UTF_8));
    }
    if (status < 300) {
      return json;
    }
    String type = JsonDocs.text(json, "__type") != null ? JsonDocs.text(json, "__type")
        : JsonDocs.text(json, "code") != null ? JsonDocs.text(json, "code") : "";
    String code = type.substring(type.lastIndexOf('#') + 1);
    if (code.contains(":")) {
      code = code.substring(0, code.indexOf(':'));
    }
    String message = JsonDocs.text(json, "message") != null ? JsonDocs.text(json, "message")
        : json.path("Message").asText("");
    long serverTime = c.getHeaderFieldDate("Date", 0);
    if (SKEW_CODES.contains(code) && serverTime > 0) {
      java.time.Duration observed = java.time.Duration.ofMillis(serverTime - clock.millis());
      if (observed.abs().compareTo(java.time.Duration.ofMinutes(4)) > 0 && !observed.equals(skew)) {
        skew = observed; // signed again with the service's time, once
        throw new ServiceError(Outcome.FAILED, "ECR " + operation + ": the clock is off by " + observed.toSeconds()
            + " s; signing again with the service's time", "ClockSkew", 429);
      }
    }
    Outcome outcome = ACCESS_CODES.contains(code) || status == 401 || status == 403 ? Outcome.ACCESS : Outcome.FAILED;
    if (IamRefusals.isPermissionRefusal(code, status)) {
      message = IamRefusals.naming(message, "ecr:" + operation);
    }
    throw new ServiceError(outcome, "ECR " + operation + " failed: " + (code.isEmpty() ? "" : code + ": ") + message
        + " (HTTP " + status + ")", code, status);
  }

  /** ECR's answers are small (a token, a repository); 1 MiB is far more than any. */
  private static byte[] readAll(InputStream in) throws IOException {
    try (in) {
      byte[] b = in.readNBytes((1 << 20) + 1);
      if (b.length > 1 << 20) {
        throw new IOException("the answer is larger than 1 MiB");
      }
      return b;
    }
  }

}
