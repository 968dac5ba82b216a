package dev.berth.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.report.ImageReference;
import dev.berth.image.Source;
import dev.berth.report.Violation;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class EcrPushTest {
  static final Source NODE = new Source.Remote(ImageReference.parse("node:20"));

  static List<String> where(List<Violation> v) {
    return v.stream().map(Violation::where).toList();
  }

  @Test
  void validate_goodRequest_hasNoViolation() {
    assertEquals(List.of(), EcrPush.validate(EcrPush.Request.of("opensourceapirepo", NODE, "v1")));
    assertEquals(List.of(), EcrPush.validate(EcrPush.Request.of("team/app-1.x_y", NODE)
        .withRegistryEndpoint(URI.create("http://127.0.0.1:5000"))));
  }

  @Test
  void validate_reportsEveryProblemAtOnce() {
    EcrPush.Request r = new EcrPush.Request("Bad_Name", "12", List.of("ok", ".bad", "ok"), null, false, 0,
        URI.create("http://registry.example.com"), null, null, 0);

    List<String> where = where(EcrPush.validate(r));

    assertEquals(List.of("--repository", "--registry-id", "--tag", "--tag", "--image", "--keep-images",
        "--registry-endpoint", "--parallel"), where);
  }

  @Test
  void validate_missingLayoutDirectory_isNamed() {
    List<Violation> v = EcrPush.validate(EcrPush.Request.of("app", new Source.OciLayout(Path.of("/no/such/dir"))));
    assertEquals(List.of("--oci-layout"), where(v));
    assertTrue(v.get(0).message().contains("/no/such/dir"));
  }

  @Test
  void validate_httpsEndpointAnywhere_httpOnlyOnLoopback() {
    assertEquals(List.of(), EcrPush.validate(EcrPush.Request.of("app", NODE)
        .withRegistryEndpoint(URI.create("https://mirror.example.com"))));
    assertEquals(List.of("--registry-endpoint"), where(EcrPush.validate(EcrPush.Request.of("app", NODE)
        .withRegistryEndpoint(URI.create("http://10.1.2.3:5000")))));
  }

  @Test
  void validate_endpointWithUserInfo_isRefusedAndLoopbackIsDecidedOnTheParsedHost() {
    for (String url : List.of("http://localhost:1@evil.example", "http://127.0.0.1@evil.example:5000",
        "https://user:pass@mirror.example.com", "http://127.attacker.example", "http://localhost.evil.example")) {
      List<Violation> v = EcrPush.validate(EcrPush.Request.of("app", NODE).withRegistryEndpoint(URI.create(url)));
      assertEquals(List.of("--registry-endpoint"), where(v), url);
    }
    assertEquals(List.of(), EcrPush.validate(EcrPush.Request.of("app", NODE)
        .withRegistryEndpoint(URI.create("http://127.0.0.1:5000"))));
    assertEquals(List.of(), EcrPush.validate(EcrPush.Request.of("app", NODE)
        .withRegistryEndpoint(URI.create("http://[::1]:5000"))));
  }

  @Test
  void effectiveTags_defaultIsTheSourceTagElseLatest() {
    assertEquals(List.of("20"), EcrPush.Request.of("app", NODE).effectiveTags());
    assertEquals(List.of("latest"), EcrPush.Request.of("app",
        new Source.Remote(ImageReference.parse("node"))).effectiveTags());
    assertEquals(List.of("latest"), EcrPush.Request.of("app", new Source.OciLayout(Path.of("x"))).effectiveTags());
    assertEquals(List.of("a", "b"), EcrPush.Request.of("app", NODE, "a", "b").effectiveTags());
  }
}
