package dev.berth.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.testbed.MotoServer;
import dev.berth.testbed.RecordingProxy;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ecr-push's own ECR API calls (not the SDK's client) take the same proxy as every other client of berth:
 * a recording proxy on loopback carries them to moto, or is asked to CONNECT to ECR's https endpoint.
 */
class EcrApiProxyIT {
  final MotoServer moto = MotoServer.shared();

  EcrApi api(URI endpoint, Map<String, String> env) {
    return new EcrApi(endpoint, MotoServer.REGION, () -> new EcrApi.Credentials("testing", "testing", null),
        Clock.systemUTC(), Sleeper.REAL, null)
        .withProxies(ProxyConfig.from(env))
        .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10), 1);
  }

  @Test
  void call_whenHttpProxyIsSet_goesThroughIt_unlessNoProxyNamesTheHost() {
    try (RecordingProxy proxy = RecordingProxy.start()) {
      JsonNode answer = api(moto.endpoint(), Map.of("HTTP_PROXY", proxy.url()))
          .call("DescribeRepositories", EcrApi.object());
      assertTrue(answer.has("repositories"), answer.toString());
      assertEquals(List.of("POST " + moto.endpoint().toString().replaceAll("/$", "") + "/"), proxy.targets());
      assertTrue(proxy.requests().get(0).headers().get("x-amz-target").endsWith(".DescribeRepositories"),
          proxy.requests().toString());

      api(moto.endpoint(), Map.of("http_proxy", proxy.url(), "NO_PROXY", "127.0.0.1"))
          .call("DescribeRepositories", EcrApi.object());
      assertEquals(1, proxy.targets().size(), "NO_PROXY's host went through the proxy: " + proxy.targets());
    }
  }

  @Test
  void call_toEcrsHttpsEndpoint_asksTheHttpsProxyToConnect() {
    try (RecordingProxy proxy = RecordingProxy.start()) {
      EcrApi api = api(EcrApi.defaultEndpoint(MotoServer.REGION), Map.of("HTTPS_PROXY", proxy.url(),
          "HTTP_PROXY", "http://127.0.0.1:9"));
      assertThrows(RuntimeException.class, () -> api.call("DescribeRepositories", EcrApi.object()));
      assertEquals(List.of("CONNECT api.ecr." + MotoServer.REGION + ".amazonaws.com:443"), proxy.targets());
    }
  }
}
