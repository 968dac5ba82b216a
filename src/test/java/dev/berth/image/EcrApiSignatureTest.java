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

  private static String first(Map<String, List<String>> headers, String name) {
    for (var e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue().get(0);
      }
    }
    return null;
  }
}
