package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.report.SecretMasker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class GithubActionsProgressTest {
  final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  final SecretMasker masker = new SecretMasker();

  List<String> lines() {
    return List.of(bytes.toString(StandardCharsets.UTF_8).split("\n"));
  }

  @Test
  void phases_areGroups_andANewPhaseClosesTheOpenOne() {
    GithubActionsProgress p = new GithubActionsProgress(err, "ecr-push", 0, masker);
    p.beginPhase("Copying layers");
    p.info("layer 1 of 3 pushed");
    p.beginPhase("Pushing manifest");
    p.endPhase();
    p.endPhase();
    p.finish();
    assertEquals(List.of("::group::[ecr-push] Copying layers", "[ecr-push] layer 1 of 3 pushed", "::endgroup::",
        "::group::[ecr-push] Pushing manifest", "::endgroup::"), lines());
  }

  @Test
  void error_closesTheGroup_andIsAnEscapedAnnotation() {
    GithubActionsProgress p = new GithubActionsProgress(err, "ecs-deploy-service", 0, masker);
    p.beginPhase("Rollout");
    p.warn("env DB_PASSWORD looks like a secret: use --secret");
    p.error("rolled back: 2 tasks stopped\n  CannotPullContainerError: 100% sure");
    assertEquals(List.of("::group::[ecs-deploy-service] Rollout",
        "::warning title=berth ecs-deploy-service::env DB_PASSWORD looks like a secret: use --secret",
        "::endgroup::",
        "::error title=berth ecs-deploy-service::rolled back: 2 tasks stopped%0A  CannotPullContainerError: 100%25 sure"),
        lines());
  }

  @Test
  void detail_isDebugUnlessVerbose() {
    new GithubActionsProgress(err, "s", 0, masker).detail("PUT /v2/x/blobs");
    new GithubActionsProgress(err, "s", 1, masker).detail("PUT /v2/y/blobs");
    new GithubActionsProgress(err, "s", -1, masker).info("quiet: not shown");
    assertEquals(List.of("::debug::PUT /v2/x/blobs", "[s]   PUT /v2/y/blobs"), lines());
  }

  @Test
  void untrustedLinesThatLookLikeCommands_arePrintedWithCommandsStopped() {
    GithubActionsProgress p = new GithubActionsProgress(err, "s", 0, masker);
    p.info("service event:\n::add-mask::everything\nand ##[set-output name=x;]y");
    List<String> l = lines();
    assertEquals("[s] service event:", l.get(0));
    assertTrue(l.get(1).startsWith("::stop-commands::berth-"), l.toString());
    String token = l.get(1).substring("::stop-commands::".length());
    assertEquals("::add-mask::everything", l.get(2));
    assertEquals("::" + token + "::", l.get(3));
    assertEquals("::stop-commands::", l.get(4).substring(0, "::stop-commands::".length()));
    assertEquals("and ##[set-output name=x;]y", l.get(5));
  }

  @Test
  void secrets_areMaskedEverywhere_andOnlyThoseFoundDuringTheRunAreAnnounced() {
    masker.register("env-secret-key-value");
    GithubActionsProgress p = new GithubActionsProgress(err, "ecr-push", 0, masker);
    masker.register("ecr-token-QVdTOnBhc3M=");
    p.info("login with ecr-token-QVdTOnBhc3M= and env-secret-key-value");
    p.warn("token ecr-token-QVdTOnBhc3M=");
    p.beginPhase("env-secret-key-value");
    p.finish();
    masker.register("after-the-run-secret");
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(List.of("::add-mask::ecr-token-QVdTOnBhc3M=", "[ecr-push] login with *** and ***",
        "::warning title=berth ecr-push::token ***", "::group::[ecr-push] ***", "::endgroup::"), lines());
    assertFalse(out.contains("env-secret-key-value"), "environment secrets are never repeated: " + out);
    assertFalse(out.contains("after-the-run"), out);
    assertEquals(List.of("login with *** and ***", "WARNING: token ***", "***"), p.events());
  }

  @Test
  void multiLineSecret_isAnnouncedWholeAndLineByLine() {
    new GithubActionsProgress(err, "s", 0, masker);
    masker.register("-----BEGIN KEY-----\nabcdefgh\n-----END KEY-----");
    assertEquals(List.of("::add-mask::-----BEGIN KEY-----%0Aabcdefgh%0A-----END KEY-----",
        "::add-mask::-----BEGIN KEY-----", "::add-mask::abcdefgh", "::add-mask::-----END KEY-----"), lines());
  }

  @Test
  void events_keepTheLastLines() {
    GithubActionsProgress p = new GithubActionsProgress(err, "s", -1, masker);
    for (int i = 0; i < GithubActionsProgress.MAX_EVENTS + 5; i++) {
      p.info("event " + i);
    }
    List<String> events = p.events();
    assertEquals("(5 earlier lines left out)", events.get(0));
    assertEquals("event 5", events.get(1));
    assertEquals("event " + (GithubActionsProgress.MAX_EVENTS + 4), events.get(events.size() - 1));
  }
}
