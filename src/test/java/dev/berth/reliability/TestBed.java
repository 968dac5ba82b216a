package dev.berth.reliability;

import dev.berth.aws.AwsClients;
import dev.berth.aws.AwsSettings;
import dev.berth.testbed.MotoServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** Small helpers the reliability tests share: SDK clients on moto, raw JSON-protocol calls for services berth has no client for. */
final class TestBed {
  private TestBed() {}

  static AwsClients aws(URI endpoint) {
    return AwsClients.create(AwsSettings.defaults().withRegion(MotoServer.REGION).withEndpointUrl(endpoint), Map.of());
  }

  /**
   * One JSON-protocol call to moto without an SDK client (Secrets Manager, SSM): moto routes by the SigV4
   * scope and does not check the signature.
   */
  static String jsonCall(URI endpoint, String signingName, String target, String body) {
    HttpRequest req = HttpRequest.newBuilder(endpoint)
        .header("Content-Type", "application/x-amz-json-1.1")
        .header("X-Amz-Target", target)
        .header("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/" + MotoServer.REGION + "/"
            + signingName + "/aws4_request, SignedHeaders=host, Signature=0")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(target + " answered " + r.statusCode() + ": " + r.body());
      }
      return r.body();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
