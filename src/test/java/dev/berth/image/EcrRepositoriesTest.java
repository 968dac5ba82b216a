package dev.berth.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.berth.report.BerthException;
import dev.berth.report.Outcome;
import dev.berth.report.SecretMasker;
import dev.berth.testbed.ManualClock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ECR calls (signed JSON) and the registry token's lifetime, against a scripted ECR endpoint. */
class EcrRepositoriesTest {
  HttpServer server;
  final List<String> targets = Collections.synchronizedList(new ArrayList<>());
  final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
  final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
  final AtomicReference<Function<String, Answer>> answers = new AtomicReference<>();
  final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));

  record Answer(int status, String body) {}

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
      targets.add(target);
      authorizations.add(ex.getRequestHeaders().getFirst("Authorization"));
      bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      Answer a = answers.get().apply(target.substring(target.indexOf('.') + 1));
      byte[] b = a.body().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
      ex.sendResponseHeaders(a.status(), b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  EcrRepositories repos() {
    EcrApi api = new EcrApi(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "us-east-2",
        () -> new EcrApi.Credentials("AKIDEXAMPLE", "secret-key", "session-tok"), clock, ms -> { }, calls::add);
    return new EcrRepositories(api, clock);
  }

  static String token(String password, double expiresAtEpochSeconds) {
    String encoded = Base64.getEncoder().encodeToString(("AWS:" + password).getBytes(StandardCharsets.UTF_8));
    return "{\"authorizationData\":[{\"authorizationToken\":\"" + encoded + "\",\"expiresAt\":" + expiresAtEpochSeconds
        + ",\"proxyEndpoint\":\"https://123456789012.dkr.ecr.us-east-2.amazonaws.com\"}]}";
  }

  @Test
  void auth_expiryInThePast_isFetchedOncePerPushNotAnError() {
    answers.set(op -> new Answer(200, token("pw-one", 1420070400.0))); // 2015, as moto answers
    RegistryCredentials.Source auth = repos().auth(null);

    RegistryCredentials first = auth.get();
    RegistryCredentials second = auth.get();

    assertEquals("AWS", first.username());
    assertEquals("pw-one", first.password());
    assertEquals(first, second);
    assertEquals(1, targets.size());
    assertEquals("***", SecretMasker.global().mask("pw-one"));
  }

  @Test
  void auth_renewedFiveMinutesBeforeExpiry_andAfterRejection() {
    double expires = clock.instant().plusSeconds(12 * 3600).getEpochSecond();
    List<String> passwords = new ArrayList<>(List.of("pw-a", "pw-b", "pw-c"));
    answers.set(op -> new Answer(200, token(passwords.remove(0), expires)));
    RegistryCredentials.Source auth = repos().auth("123456789012");

    assertEquals("pw-a", auth.get().password());
    clock.advance(Duration.ofSeconds(11 * 3600));
    assertEquals("pw-a", auth.get().password());
    clock.advance(Duration.ofSeconds(3600 - 200));
    assertEquals("pw-b", auth.get().password(), "renewed within 5 minutes of expiry");
    assertTrue(auth.invalidate());
    assertEquals("pw-c", auth.get().password(), "fetched again after the registry refused it");
    assertEquals(3, calls.size());
    assertEquals("ecr:GetAuthorizationToken", calls.get(0));
  }

  @Test
  void requests_areSignedWithSigV4ForEcr() {
    answers.set(op -> new Answer(400, "{\"__type\":\"RepositoryNotFoundException\",\"message\":\"nope\"}"));

    assertTrue(repos().find(null, "app").isEmpty());

    assertEquals("AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", targets.get(0));
    String auth = authorizations.get(0);
    assertTrue(auth.startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-2/ecr/aws4_request, "
        + "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target, Signature="), auth);
    assertTrue(auth.matches(".*Signature=[0-9a-f]{64}"), auth);
  }

  /** DescribeRepositories as ECR answers for the 2025 *_WITH_EXCLUSION settings (API reference field names). */
  static String repository(String mutability, String filter) {
    return "{\"repositories\":[{\"repositoryName\":\"app\",\"repositoryUri\":\"123456789012.dkr.ecr.us-east-2"
        + ".amazonaws.com/app\",\"registryId\":\"123456789012\",\"imageTagMutability\":\"" + mutability + "\","
        + "\"imageTagMutabilityExclusionFilters\":[{\"filterType\":\"WILDCARD\",\"filter\":\"" + filter + "\"}],"
        + "\"imageScanningConfiguration\":{\"scanOnPush\":true}}]}";
  }

  @Test
  void find_whenMutabilityHasExclusions_readsEachTagsMutability() {
    answers.set(op -> new Answer(200, repository("IMMUTABLE_WITH_EXCLUSION", "dev-*")));
    EcrRepositories.Info immutableExceptDev = repos().find(null, "app").orElseThrow();
    assertTrue(immutableExceptDev.immutable("v1.2"));
    assertFalse(immutableExceptDev.immutable("dev-42"));
    answers.set(op -> new Answer(200, repository("MUTABLE_WITH_EXCLUSION", "release-*.final")));
    EcrRepositories.Info mutableExceptReleases = repos().find(null, "app").orElseThrow();
    assertFalse(mutableExceptReleases.immutable("latest"));
    assertTrue(mutableExceptReleases.immutable("release-3.final"));
    assertFalse(mutableExceptReleases.immutable("release-3xfinal"), "a dot is a dot, not any character");
  }

  @Test
  void auth_doesNotSendTheDeprecatedRegistryIds() {
    answers.set(op -> new Answer(200, token("pw", 1420070400.0)));
    repos().auth("123456789012").get();
    assertEquals(List.of("{}"), bodies, "GetAuthorizationToken with an empty body");
  }

  @Test
  void create_alreadyExists_returnsTheExistingRepository() {
    String repo = "{\"repositoryName\":\"app\",\"repositoryUri\":\"123456789012.dkr.ecr.us-east-2.amazonaws.com/app\","
        + "\"registryId\":\"123456789012\",\"imageTagMutability\":\"MUTABLE\","
        + "\"imageScanningConfiguration\":{\"scanOnPush\":false}}";
    answers.set(op -> op.equals("CreateRepository")
        ? new Answer(400, "{\"__type\":\"RepositoryAlreadyExistsException\",\"message\":\"exists\"}")
        : new Answer(200, "{\"repositories\":[" + repo + "]}"));

    EcrRepositories.Created c = repos().create(null, "app", true);

    assertFalse(c.created());
    assertFalse(c.info().immutableTags());
    assertEquals("123456789012.dkr.ecr.us-east-2.amazonaws.com", c.info().host());
  }

  @Test
  void accessDenied_isAccessOutcome_throttlingIsRetried() {
    List<Answer> script = new ArrayList<>(List.of(
        new Answer(400, "{\"__type\":\"ThrottlingException\",\"message\":\"slow down\"}"),
        new Answer(400, "{\"__type\":\"AccessDeniedException\",\"message\":\"not allowed\"}")));
    answers.set(op -> script.remove(0));

    BerthException e = assertThrows(BerthException.class, () -> repos().find(null, "app"));

    assertEquals(Outcome.ACCESS, e.outcome());
    assertTrue(e.getMessage().contains("AccessDeniedException: not allowed"), e.getMessage());
    assertEquals(2, targets.size());
  }

  @Test
  void keepImages_putOnlyWhenDifferent() {
    List<String> ops = Collections.synchronizedList(new ArrayList<>());
    answers.set(op -> {
      ops.add(op);
      return op.equals("GetLifecyclePolicy")
          ? new Answer(200, "{\"lifecyclePolicyText\":" + com.fasterxml.jackson.databind.node.TextNode
              .valueOf(EcrRepositories.keepImagesPolicy(5)) + "}")
          : new Answer(200, "{}");
    });

    assertFalse(repos().ensureKeepImages(null, "app", 5));
    assertTrue(repos().ensureKeepImages(null, "app", 6));
    assertEquals(List.of("GetLifecyclePolicy", "GetLifecyclePolicy", "PutLifecyclePolicy"), ops);
  }
}
