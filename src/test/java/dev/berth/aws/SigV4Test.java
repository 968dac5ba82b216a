package dev.berth.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/** berth's SigV4 against the AWS SDK's own signer: the same request gets the same signed headers, byte for byte. */
class SigV4Test {
  static final String ID = "AKIDEXAMPLE";
  static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

  static Map<String, String> sdk(URI uri, Map<String, String> headers, byte[] payload, String token, String region,
      String service, Instant at) {
    SdkHttpRequest.Builder b = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(uri);
    headers.forEach(b::putHeader);
    AwsCredentialsIdentity identity = token == null ? AwsCredentialsIdentity.create(ID, SECRET)
        : AwsSessionCredentialsIdentity.create(ID, SECRET, token);
    SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r.identity(identity).request(b.build())
        .payload(ContentStreamProvider.fromByteArray(payload))
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
        .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC)));
    Map<String, String> out = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    signed.request().forEachHeader((k, v) -> out.put(k, String.join(",", v)));
    return out;
  }

  @Test
  void sign_givesTheSdkSignersHeaders() {
    Instant at = Instant.parse("2026-12-03T11:22:33Z");
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/x-amz-json-1.1");
    headers.put("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.DescribeServices");
    byte[] body = "{\"cluster\":\"promo\",\"services\":[\"gantt-exporter\"]}".getBytes(StandardCharsets.UTF_8);
    List<URI> endpoints = List.of(URI.create("https://ecs.us-east-2.amazonaws.com"),
        URI.create("https://ecs.us-east-2.amazonaws.com:443/"), URI.create("http://127.0.0.1:5055"),
        URI.create("http://localhost:80/"), URI.create("https://proxy.example.com:8443/aws/ecs"),
        URI.create("https://gw.example.com/a%20b/c~d"));
    for (URI uri : endpoints) {
      for (String token : new String[] {null, "FwoGZXIvYXdzEJr//////////wEaDExampleSessionToken=="}) {
        for (byte[] payload : List.of(body, new byte[0])) {
          Map<String, String> want = sdk(uri, headers, payload, token, "us-east-2", "ecs", at);
          Map<String, String> got = SigV4.sign("POST", uri, headers, payload, ID, SECRET, token, "us-east-2", "ecs",
              at);
          assertEquals(want, got, uri + " token " + (token != null) + " payload " + payload.length);
        }
      }
    }
    Map<String, String> other = sdk(endpoints.get(0), headers, body, null, "cn-north-1", "application-autoscaling", at);
    assertEquals(other, SigV4.sign("POST", endpoints.get(0), headers, body, ID, SECRET, null, "cn-north-1",
        "application-autoscaling", at));
  }

  @Test
  void sign_keepsTheSecretOutOfEveryHeader() {
    Map<String, String> got = SigV4.sign("POST", URI.create("https://ecs.us-east-2.amazonaws.com"),
        Map.of("X-Amz-Target", "x"), new byte[0], ID, SECRET, null, "us-east-2", "ecs", Instant.EPOCH);
    assertFalse(got.values().stream().anyMatch(v -> v.contains(SECRET)), got.toString());
    assertTrue(got.get("Authorization").startsWith("AWS4-HMAC-SHA256 Credential=" + ID + "/19700101/us-east-2/ecs/"));
  }
}
