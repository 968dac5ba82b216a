package dev.berth.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;

/**
 * moto does not check signatures, so EcrApi's hand-written SigV4 is checked against the SDK's own signer:
 * the request berth sends must carry exactly the Authorization the SDK computes for the same request.
 */
class EcrApiSignatureTest {
  @Test
  void call_signsExactlyAsTheSdkSigner() throws Exception {
    AtomicReference<Map<String, List<String>>> headers = new AtomicReference<>();
    AtomicReference<byte[]> body = new AtomicReference<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      headers.set(new TreeMap<>(ex.getRequestHeaders()));
      body.set(ex.getRequestBody().readAllBytes());
      byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, answer.length);
      ex.getResponseBody().write(answer);
      ex.close();
    });
    server.start();
    try {
      Instant at = Instant.parse("2026-11-26T12:34:56Z");
      URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
      EcrApi.Credentials creds = new EcrApi.Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
          "session-token-example");
      EcrApi api = new EcrApi(endpoint, "us-east-2", () -> creds, Clock.fixed(at, ZoneOffset.UTC), ms -> { },
          null);
      Map<String, Object> request0 = EcrApi.object();
      request0.put("repositoryNames", List.of("opensourceapirepo"));
      api.call("DescribeRepositories", request0);

      Map<String, List<String>> sent = headers.get();
      String authorization = first(sent, "Authorization");
      assertNotNull(authorization, "no Authorization header in " + sent);
      String signedHeaders = authorization.replaceAll(".*SignedHeaders=([^,]+),.*", "$1");

      SdkHttpRequest.Builder request = SdkHttpRequest.builder()
          .method(SdkHttpMethod.POST)
          .uri(endpoint.resolve("/"));
      for (String h : signedHeaders.split(";")) {
        request.putHeader(h, first(sent, h));
      }
      byte[] payload = body.get();
      SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
          .identity(AwsSessionCredentials.create(creds.accessKeyId(), creds.secretAccessKey(), creds.sessionToken()))
          .request(request.build())
          .payload(ContentStreamProvider.fromByteArray(payload))
          .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "ecr")
          .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-2")
          .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC)));
      String expected = signed.request().firstMatchingHeader("Authorization").orElseThrow();
      assertEquals(expected, authorization);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void defaultEndpoint_followsTheSdksEndpointMetadataInEveryPartition() {
    assertEquals("https://api.ecr.us-east-2.amazonaws.com", EcrApi.defaultEndpoint("us-east-2").toString());
    assertEquals("https://api.ecr.cn-north-1.amazonaws.com.cn", EcrApi.defaultEndpoint("cn-north-1").toString());
    assertEquals("https://api.ecr.us-iso-east-1.c2s.ic.gov", EcrApi.defaultEndpoint("us-iso-east-1").toString());
    assertEquals("https://api.ecr.eusc-de-east-1.amazonaws.eu", EcrApi.defaultEndpoint("eusc-de-east-1").toString());
    // the FIPS endpoint the AWS General Reference lists for ECR (Amazon ECR endpoints and quotas)
    assertEquals("https://ecr-fips.us-east-2.amazonaws.com",
        EcrApi.defaultEndpoint("us-east-2", true, false).toString());
  }

  @Test
  void call_whenTheServiceReportsAClockSkew_signsAgainWithTheServicesTime() throws Exception {
    // the service's clock is the real one (its Date header); berth's is two hours behind
    Instant local = Instant.now().minus(java.time.Duration.ofHours(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    java.time.format.DateTimeFormatter amz = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
        .withZone(ZoneOffset.UTC);
    List<String> dates = new java.util.concurrent.CopyOnWriteArrayList<>();
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/", ex -> {
      ex.getRequestBody().readAllBytes();
      String date = ex.getRequestHeaders().getFirst("X-Amz-Date");
      dates.add(date);
      Instant signedAt = java.time.LocalDateTime.parse(date, amz).toInstant(ZoneOffset.UTC);
      boolean fresh = java.time.Duration.between(signedAt, Instant.now()).abs().toMinutes() < 15;
      byte[] answer = (fresh ? "{\"repositories\":[]}" : "{\"__type\":\"InvalidSignatureException\","
          + "\"message\":\"Signature expired: " + date + " is now earlier than the allowed window\"}")
          .getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(fresh ? 200 : 400, answer.length);
      ex.getResponseBody().write(answer);
      ex.close();
    });
    http.start();
    try {
      EcrApi api = new EcrApi(URI.create("http://127.0.0.1:" + http.getAddress().getPort()), "us-east-2",
          () -> new EcrApi.Credentials("AKIDEXAMPLE", "secret", null), Clock.fixed(local, ZoneOffset.UTC), ms -> { },
          null);

      api.call("DescribeRepositories", EcrApi.object());

      assertEquals(2, dates.size(), dates.toString());
      assertEquals(amz.format(local), dates.get(0));
    } finally {
      http.stop(0);
    }
  }

  private static String first(Map<String, List<String>> headers, String name) {
    for (var e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue().get(0);
      }
    }
    return null;
  }
}
