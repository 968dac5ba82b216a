package dev.berth.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.report.BerthException;
import dev.berth.report.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The few ECR API operations ecr-push needs (DescribeRepositories, CreateRepository, Get/PutLifecyclePolicy,
 * GetAuthorizationToken), as signed (SigV4) JSON calls over {@link HttpURLConnection}. A short push spends
 * most of its time starting the AWS SDK's ECR client (about 2 s of class loading on a small machine); these
 * five calls do not need it. Credentials, region and endpoint still come from berth's AWS settings; retries
 * with backoff on throttling, 5xx and broken connections; every call has connect and read timeouts.
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

  public EcrApi(URI endpoint, String region, Supplier<Credentials> credentials, Clock clock, Sleeper sleeper,
      Consumer<String> callLog) {
    this.endpoint = endpoint;
    this.region = region;
    this.credentials = credentials;
    this.clock = clock;
    this.sleeper = sleeper;
    this.callLog = callLog == null ? a -> { } : callLog;
  }

  /** ECR's public endpoint in a region. */
  public static URI defaultEndpoint(String region) {
    return URI.create("https://api.ecr." + region + ".amazonaws.com" + (region.startsWith("cn-") ? ".cn" : ""));
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
    String amzDate = amzDate(clock.instant());
    String date = amzDate.substring(0, 8);
    String host = endpoint.getPort() == -1 ? endpoint.getHost() : endpoint.getHost() + ":" + endpoint.getPort();
    String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
    TreeMap<String, String> headers = new TreeMap<>();
    headers.put("content-type", "application/x-amz-json-1.1");
    headers.put("host", host);
    // sent and signed as the SDK's own signer does (EcrApiSignatureTest compares the two)
    headers.put("x-amz-content-sha256", hex(sha256(payload)));
    headers.put("x-amz-date", amzDate);
    headers.put("x-amz-target", TARGET_PREFIX + operation);
    if (creds.sessionToken() != null && !creds.sessionToken().isEmpty()) {
      headers.put("x-amz-security-token", creds.sessionToken());
    }
    StringBuilder canonicalHeaders = new StringBuilder();
    headers.forEach((k, v) -> canonicalHeaders.append(k).append(':').append(v.trim()).append('\n'));
    String signedHeaders = String.join(";", headers.keySet());
    String canonical = "POST\n" + path + "\n\n" + canonicalHeaders + "\n" + signedHeaders + "\n"
        + hex(sha256(payload));
    String scope = date + "/" + region + "/ecr/aws4_request";
    String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
        + hex(sha256(canonical.getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(("AWS4" + creds.secretAccessKey()).getBytes(StandardCharsets.UTF_8), date);
    key = hmac(key, region);
    key = hmac(key, "ecr");
    key = hmac(key, "aws4_request");
    String signature = hex(hmac(key, toSign));

    HttpURLConnection c = (HttpURLConnection) endpoint.resolve(path).toURL().openConnection();
    c.setRequestMethod("POST");
    c.setConnectTimeout(Math.min(connectTimeoutMillis, readTimeout));
    c.setReadTimeout(readTimeout);
    c.setUseCaches(false);
    headers.forEach((k, v) -> {
      if (!k.equals("host")) {
        c.setRequestProperty(k, v);
      }
    });
    c.setRequestProperty("Authorization", "AWS4-HMAC-SHA256 Credential=" + creds.accessKeyId() + "/" + scope
        + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature);
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
    Outcome outcome = ACCESS_CODES.contains(code) || status == 401 || status == 403 ? Outcome.ACCESS : Outcome.FAILED;
    throw new ServiceError(outcome, "ECR " + operation + " failed: " + (code.isEmpty() ? "" : code + ": ") + message
        + " (HTTP " + status + ")", code, status);
  }

  /** yyyyMMdd'T'HHmmss'Z' in UTC, without java.time's formatter (whose locale data is slow to load). */
  static String amzDate(java.time.Instant instant) {
    java.time.LocalDateTime t = java.time.LocalDateTime.ofEpochSecond(instant.getEpochSecond(), 0, ZoneOffset.UTC);
    StringBuilder b = new StringBuilder(16);
    pad(b, t.getYear(), 4);
    pad(b, t.getMonthValue(), 2);
    pad(b, t.getDayOfMonth(), 2);
    b.append('T');
    pad(b, t.getHour(), 2);
    pad(b, t.getMinute(), 2);
    pad(b, t.getSecond(), 2);
    return b.append('Z').toString();
  }

  private static void pad(StringBuilder b, int value, int width) {
    String v = Integer.toString(value);
    for (int k = v.length(); k < width; k++) {
      b.append('0');
    }
    b.append(v);
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

  private static byte[] sha256(byte[] data) {
    return Digests.newSha256().digest(data);
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
