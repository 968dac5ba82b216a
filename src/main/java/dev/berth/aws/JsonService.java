package dev.berth.aws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.image.ProxyConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.AwsRequest;
import software.amazon.awssdk.awscore.AwsResponse;
import software.amazon.awssdk.awscore.DefaultAwsResponseMetadata;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpFullResponse;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * Calls one AWS JSON-protocol service (awsJson1_1: ECS, Application Auto Scaling) without the SDK's client, for the
 * generated light clients ({@code LightEcsClient}, {@code LightApplicationAutoScalingClient}). Building the SDK's
 * client and its first call were over half of a short step's own time (the promotion path's ecs-scale, ecs-force-
 * redeploy --no-wait, ecs-register-task); this does the same work with what berth has loaded anyway. What must be
 * right is the SDK's or follows it: the SDK's model objects in and out ({@link JsonWire}), SigV4 as its signer
 * computes it ({@link SigV4}), its modelled exceptions (the error's code picks the class, as the SDK client does), its
 * standard retry mode (throttling, 5xx and broken connections retried with jittered backoff, up to the configured
 * attempts; the clock corrected when AWS reports a skew), its call and attempt timeouts as its timeout exceptions, the
 * call log and the IAM action named in a permission refusal (as {@link ApiCallLog} does for the SDK clients).
 * Endpoint, region, credentials and proxies come from {@link AwsClients}, which builds this only where they are plain
 * (see there); anything else goes to the SDK client.
 */
public final class JsonService {
  /** A service: how it is signed, addressed and named, and its model's exceptions. */
  public record Spec(String signingName, String iamPrefix, String targetPrefix, String errorServiceName,
      String modelPackage, Class<? extends AwsServiceException> baseException) {}

  /** What the SDK's standard retry mode treats as throttling (AWS error codes). */
  static final Set<String> THROTTLING = Set.of("Throttling", "ThrottlingException", "ThrottledException",
      "ProvisionedThroughputExceededException", "SlowDown", "TooManyRequestsException", "RequestLimitExceeded",
      "BandwidthLimitExceeded", "RequestThrottled", "RequestThrottledException", "EC2ThrottledException",
      "TransactionInProgressException");
  /** Other codes it retries (besides the statuses below). */
  static final Set<String> TRANSIENT = Set.of("PriorRequestNotComplete", "RequestTimeout",
      "RequestTimeoutException", "InternalError");
  /** The HTTP statuses it retries (besides 429, throttling). */
  static final Set<Integer> RETRY_STATUS = Set.of(500, 502, 503, 504);
  /** What AWS answers to a request signed with a clock too far from its own. */
  static final Set<String> SKEW = Set.of("RequestTimeTooSkewed", "RequestExpired", "InvalidSignatureException",
      "SignatureDoesNotMatch", "AuthFailure", "RequestInTheFuture");

  /** Sleeps between attempts (injected: AwsClients gives Thread::sleep). */
  @FunctionalInterface
  public interface Pause {
    void sleep(long millis) throws InterruptedException;
  }

  private final Spec spec;
  private final URI endpoint;
  private final String region;
  private final Supplier<? extends AwsCredentialsIdentity> credentials;
  private final ProxyConfig proxies;
  private final ApiCallLog callLog;
  private final int connectTimeoutMillis;
  private final int attemptTimeoutMillis;
  private final long callTimeoutMillis;
  private final int maxAttempts;
  private final Clock clock;
  private final Pause pause;
  private volatile Duration skew = Duration.ZERO;

  public JsonService(Spec spec, URI endpoint, String region, Supplier<? extends AwsCredentialsIdentity> credentials,
      ProxyConfig proxies, ApiCallLog callLog, Duration connectTimeout, Duration attemptTimeout, Duration callTimeout,
      int maxAttempts, Clock clock, Pause pause) {
    this.spec = spec;
    this.endpoint = endpoint;
    this.region = region;
    this.credentials = credentials;
    this.proxies = proxies;
    this.callLog = callLog;
    this.connectTimeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
    this.attemptTimeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, attemptTimeout.toMillis()));
    this.callTimeoutMillis = Math.max(1, callTimeout.toMillis());
    this.maxAttempts = Math.max(1, maxAttempts);
    this.clock = clock;
    this.pause = pause;
  }

  /**
   * True when REQUEST carries its own override configuration (credentials, headers, timeouts of its own): such a
   * request goes to the SDK client, which honours them.
   */
  public static boolean needsSdk(Object request) {
    return request instanceof AwsRequest r && r.overrideConfiguration().isPresent();
  }

  /**
   * Calls OPERATION with REQUEST (an SDK request) and returns the answer built with RESPONSE_BUILDER (the SDK
   * response's builder); failures are thrown as the SDK client throws them.
   */
  public Object call(String operation, Object request, Object responseBuilder) {
    String action = spec.iamPrefix() + ":" + operation;
    callLog.record(action);
    byte[] payload = JsonWire.marshal((SdkPojo) request);
    long start = System.nanoTime();
    for (int attempt = 1; ; attempt++) {
      long left = callTimeoutMillis - (System.nanoTime() - start) / 1_000_000;
      if (left <= 0) {
        throw ApiCallTimeoutException.builder().message(action + ": Client execution did not complete before the"
            + " specified timeout configuration: " + callTimeoutMillis + " millis").build();
      }
      RuntimeException failure;
      boolean throttled = false;
      try {
        Answer a = once(operation, payload, (int) Math.min(attemptTimeoutMillis, left));
        if (a.status() / 100 == 2) {
          return response(a, responseBuilder);
        }
        AwsServiceException e = error(a, attempt);
        String code = e.awsErrorDetails().errorCode();
        if (code != null && SKEW.contains(code) && adjustClock(a.serverDate())) {
          continue; // signed again with the service's time, as the SDK does
        }
        throttled = e.statusCode() == 429 || (code != null && THROTTLING.contains(code));
        boolean retryable = throttled || RETRY_STATUS.contains(e.statusCode())
            || (code != null && TRANSIENT.contains(code));
        if (!retryable || attempt >= maxAttempts) {
          throw ApiCallLog.namingAction(e, action);
        }
        failure = e;
      } catch (SocketTimeoutException e) {
        if (attempt >= maxAttempts) {
          throw ApiCallAttemptTimeoutException.builder().message(action + ": HTTP request execution did not"
              + " complete before the specified timeout configuration: " + attemptTimeoutMillis + " millis").cause(e)
              .build();
        }
        failure = null;
      } catch (IOException e) {
        if (attempt >= maxAttempts) {
          throw SdkClientException.builder().message(action + ": Unable to execute HTTP request: " + e.getMessage())
              .cause(e).build();
        }
        failure = null;
      }
      // the standard mode's jittered exponential backoff: 100 ms doubling (1 s when throttled), at most 20 s
      long base = throttled ? 1000 : 100;
      long cap = Math.min(20_000, base << Math.min(attempt - 1, 20));
      long delay = ThreadLocalRandom.current().nextLong(cap + 1);
      long remaining = callTimeoutMillis - (System.nanoTime() - start) / 1_000_000;
      if (delay >= remaining && failure != null) {
        throw failure instanceof AwsServiceException ase ? ApiCallLog.namingAction(ase, action) : failure;
      }
      try {
        pause.sleep(Math.min(delay, Math.max(0, remaining)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw software.amazon.awssdk.core.exception.AbortedException.builder().message(action + ": interrupted")
            .cause(e).build();
      }
    }
  }

  private record Answer(int status, String statusText, Map<String, List<String>> headers, byte[] body,
      long serverDate) {
    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  private Answer once(String operation, byte[] payload, int timeout) throws IOException {
    String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
    URI uri = endpoint.resolve(path);
    AwsCredentialsIdentity identity = credentials.get();
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/x-amz-json-1.1");
    headers.put("X-Amz-Target", spec.targetPrefix() + "." + operation);
    // signed with the clock corrected by the skew the service reported (as the SDK does)
    Instant now = skew.isZero() ? clock.instant() : clock.instant().plus(skew);
    Map<String, String> signed = SigV4.sign("POST", uri, headers, payload, identity.accessKeyId(),
        identity.secretAccessKey(), identity instanceof AwsSessionCredentialsIdentity s ? s.sessionToken() : null,
        region, spec.signingName(), now);

    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection(proxies.proxyFor(uri));
    try {
      c.setRequestMethod("POST");
      c.setConnectTimeout(Math.min(connectTimeoutMillis, timeout));
      c.setReadTimeout(timeout);
      c.setUseCaches(false);
      c.setInstanceFollowRedirects(false);
      signed.forEach((k, v) -> {
        if (!k.equalsIgnoreCase("host")) {
          c.setRequestProperty(k, v);
        }
      });
      c.setDoOutput(true);
      c.setFixedLengthStreamingMode(payload.length);
      try {
        c.connect();
      } catch (SocketTimeoutException e) {
        // no connection is not an attempt that timed out (exit 5) but an endpoint not reached, as in the SDK
        throw new java.net.ConnectException("connect timed out: " + SigV4.host(uri));
      }
      try (OutputStream out = c.getOutputStream()) {
        out.write(payload);
      }
      int status = c.getResponseCode();
      InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
      byte[] body = in == null ? new byte[0] : readAll(in);
      return new Answer(status, c.getResponseMessage(), c.getHeaderFields(), body, c.getHeaderFieldDate("Date", 0));
    } catch (IOException e) {
      c.disconnect();
      throw e;
    }
  }

  /** Answers are bounded: 64 MiB is far more than any ECS or Application Auto Scaling answer. */
  static final int MAX_ANSWER = 64 << 20;

  private static byte[] readAll(InputStream in) throws IOException {
    try (in) {
      byte[] b = in.readNBytes(MAX_ANSWER + 1);
      if (b.length > MAX_ANSWER) {
        throw new IOException("the answer is larger than " + (MAX_ANSWER >> 20) + " MiB");
      }
      return b;
    }
  }

  private boolean adjustClock(long serverTime) {
    if (serverTime <= 0) {
      return false;
    }
    Duration observed = Duration.ofMillis(serverTime - clock.millis());
    if (observed.abs().compareTo(Duration.ofMinutes(4)) > 0 && !observed.equals(skew)) {
      skew = observed;
      return true;
    }
    return false;
  }

  private Object response(Answer a, Object builder) throws IOException {
    JsonNode json;
    try {
      json = JsonWire.parse(a.body());
    } catch (IOException e) {
      // a cut or garbled answer is retried like a broken connection, as the SDK retries its parse failures
      throw new IOException("the answer is not JSON: " + e.getMessage(), e);
    }
    JsonWire.populate((SdkPojo) builder, json);
    Map<String, String> metadata = new LinkedHashMap<>();
    String id = a.header("x-amzn-RequestId");
    metadata.put("AWS_REQUEST_ID", id == null ? "UNKNOWN" : id);
    ((AwsResponse.Builder) builder).responseMetadata(DefaultAwsResponseMetadata.create(metadata));
    ((SdkResponse.Builder) builder).sdkHttpResponse(httpResponse(a));
    return ((SdkBuilder<?, ?>) builder).build();
  }

  private static SdkHttpFullResponse httpResponse(Answer a) {
    SdkHttpFullResponse.Builder b = SdkHttpFullResponse.builder().statusCode(a.status());
    if (a.statusText() != null) {
      b.statusText(a.statusText());
    }
    for (Map.Entry<String, List<String>> e : a.headers().entrySet()) {
      if (e.getKey() != null) {
        b.putHeader(e.getKey(), new ArrayList<>(e.getValue()));
      }
    }
    return b.build();
  }

  /** The modelled exception the SDK client would throw for this answer (the base exception for unknown codes). */
  private AwsServiceException error(Answer a, int attempt) {
    JsonNode json;
    try {
      json = JsonWire.parse(a.body());
    } catch (IOException | RuntimeException e) {
      json = null;
    }
    String code = null;
    String header = a.header("x-amzn-ErrorType");
    if (header != null && !header.isBlank()) {
      code = header.split(":", 2)[0].trim();
    } else if (json != null && json.path("__type").isTextual()) {
      String t = json.get("__type").asText();
      code = t.substring(t.lastIndexOf('#') + 1);
    } else if (json != null && json.path("code").isTextual()) {
      code = json.get("code").asText();
    }
    String message = null;
    if (json != null) {
      for (String name : new String[] {"message", "Message", "errorMessage"}) {
        if (json.path(name).isTextual()) {
          message = json.get(name).asText();
          break;
        }
      }
    }
    AwsServiceException.Builder b = exceptionBuilder(code);
    if (json != null) {
      JsonWire.populate(b, json);
    }
    String requestId = a.header("x-amzn-RequestId");
    return b.awsErrorDetails(AwsErrorDetails.builder()
            .errorCode(code)
            .errorMessage(message)
            .serviceName(spec.errorServiceName())
            .sdkHttpResponse(httpResponse(a))
            .rawResponse(SdkBytes.fromByteArrayUnsafe(a.body()))
            .build())
        .statusCode(a.status())
        .requestId(requestId)
        .extendedRequestId(a.header("x-amz-id-2"))
        .message(message)
        .numAttempts(attempt)
        .build();
  }

  private AwsServiceException.Builder exceptionBuilder(String code) {
    Class<?> type = spec.baseException();
    if (code != null && code.matches("[A-Za-z][A-Za-z0-9]*")) {
      try {
        Class<?> c = Class.forName(spec.modelPackage() + "." + code, false, JsonService.class.getClassLoader());
        if (spec.baseException().isAssignableFrom(c)) {
          type = c;
        }
      } catch (ClassNotFoundException e) {
        // an error the model does not name: the service's base exception, as the SDK client throws
      }
    }
    try {
      return (AwsServiceException.Builder) type.getMethod("builder").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build " + type.getName(), e);
    }
  }
}
