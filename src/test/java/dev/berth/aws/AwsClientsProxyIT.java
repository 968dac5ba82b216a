package dev.berth.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.report.InvalidInputException;
import dev.berth.report.SecretMasker;
import dev.berth.testbed.MotoServer;
import dev.berth.testbed.RecordingProxy;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY (and the lower-case forms) reach the AWS clients: a recording proxy on
 * loopback sees the calls (forwarded to moto for plain http endpoints; CONNECT for AWS's https endpoints).
 */
class AwsClientsProxyIT {
  final MotoServer moto = MotoServer.shared();

  AwsClients clients(Map<String, String> env, boolean toMoto) {
    AwsSettings s = AwsSettings.defaults().withRegion(MotoServer.REGION);
    if (toMoto) {
      s = s.withEndpointUrl(moto.endpoint());
    }
    Map<String, String> e = new HashMap<>(env);
    e.put("BERTH_AWS_MAX_ATTEMPTS", "1");
    return AwsClients.create(s, e);
  }

  @Test
  void httpProxy_whenTheEndpointIsPlainHttp_carriesEveryCall() {
    for (String name : List.of("HTTP_PROXY", "http_proxy")) {
      try (RecordingProxy proxy = RecordingProxy.start(); AwsClients aws = clients(Map.of(name, proxy.url()), true)) {
        assertEquals(List.of(), aws.ecs().listClusters().clusterArns());
        assertEquals(List.of("POST " + moto.endpoint().toString().replaceAll("/$", "") + "/"), proxy.targets(), name);
        assertTrue(proxy.requests().get(0).headers().get("x-amz-target").endsWith("ListClusters"));
      }
    }
  }

  @Test
  void httpsProxy_whenTheEndpointIsAws_isAskedToConnectToIt() {
    try (RecordingProxy proxy = RecordingProxy.start();
        AwsClients aws = clients(Map.of("https_proxy", proxy.url(), "HTTP_PROXY", "http://127.0.0.1:9"), false)) {
      assertThrows(RuntimeException.class, () -> aws.ecs().listClusters());
      assertEquals(List.of("CONNECT ecs.us-east-2.amazonaws.com:443"), proxy.targets());
    }
  }

  @Test
  void noProxy_whenItNamesTheHostOrItsDomain_goesDirect() {
    for (String noProxy : List.of("127.0.0.1", "example.com, 127.0.0.1:5000", "*", ".0.0.1")) {
      try (RecordingProxy proxy = RecordingProxy.start();
          AwsClients aws = clients(Map.of("HTTP_PROXY", proxy.url(), "NO_PROXY", noProxy), true)) {
        aws.ecs().listClusters();
        assertEquals(List.of(), proxy.targets(), noProxy);
      }
    }
    try (RecordingProxy proxy = RecordingProxy.start();
        AwsClients aws = clients(Map.of("HTTPS_PROXY", proxy.url(), "no_proxy", "amazonaws.com"), false)) {
      assertThrows(RuntimeException.class, () -> aws.ecs().listClusters());
      assertEquals(List.of(), proxy.targets(), "subdomains of a NO_PROXY domain go direct");
    }
  }

  @Test
  void proxyWithCredentials_sendsProxyAuthorization_andMasksThePassword() {
    try (RecordingProxy proxy = RecordingProxy.start(); AwsClients aws = clients(Map.of("HTTP_PROXY",
        proxy.url().replace("http://", "http://deploy:Pr0xyPassw0rd@")), true)) {
      aws.ecs().listClusters();
      String auth = proxy.requests().get(0).headers().get("proxy-authorization");
      assertEquals("Basic " + Base64.getEncoder().encodeToString("deploy:Pr0xyPassw0rd".getBytes(
          StandardCharsets.UTF_8)), auth);
      assertEquals("proxy ***", SecretMasker.global().mask("proxy Pr0xyPassw0rd"));
    }
  }

  @Test
  void proxyThatIsNotAnHttpUrl_isInvalidInputNamingTheVariable_withoutThePassword() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> clients(Map.of("HTTPS_PROXY", "socks5://u:S0cksSecret@127.0.0.1:1080"), false));
    assertTrue(e.getMessage().startsWith("invalid input: HTTPS_PROXY: a proxy is http://host[:port]"), e.getMessage());
    assertFalse(e.getMessage().contains("S0cksSecret"), e.getMessage());
  }
}
