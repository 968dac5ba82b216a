package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.report.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The GitHub Actions text formats: workflow-command escaping, the GITHUB_OUTPUT file, the step summary. */
class GithubActionsTest {
  /** Parses a GITHUB_OUTPUT file the way the runner does (name=value lines and name<<DELIMITER blocks). */
  static Map<String, String> parseOutputFile(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty()) {
        continue;
      }
      int eq = line.indexOf('=');
      int heredoc = line.indexOf("<<");
      if (eq >= 0 && (heredoc < 0 || eq < heredoc)) {
        out.put(line.substring(0, eq), line.substring(eq + 1));
      } else if (heredoc >= 0) {
        String name = line.substring(0, heredoc);
        String delimiter = line.substring(heredoc + 2);
        StringBuilder v = new StringBuilder();
        boolean first = true;
        for (i++; i < lines.length && !lines[i].equals(delimiter); i++) {
          if (!first) {
            v.append('\n');
          }
          v.append(lines[i]);
          first = false;
        }
        if (i >= lines.length) {
          throw new AssertionError("delimiter " + delimiter + " never closes " + name);
        }
        out.put(name, v.toString());
      } else {
        throw new AssertionError("not an output line: " + line);
      }
    }
    return out;
  }

  @Test
  void escapeData_escapesPercentCrLf_inThatOrder() {
    assertEquals("50%25 done%0D%0Anext: a,b", GithubActions.escapeData("50% done\r\nnext: a,b"));
    assertEquals("%2525", GithubActions.escapeData("%25"), "a literal %25 must survive the runner's unescaping");
  }

  @Test
  void escapeProperty_alsoEscapesColonAndComma() {
    assertEquals("berth ecs-scale%3A a%2Cb%25%0A", GithubActions.escapeProperty("berth ecs-scale: a,b%\n"));
  }

  @Test
  void command_rendersPropertiesAndEscapedMessage() {
    assertEquals("::error title=berth x%3A y::line one%0Aline two 100%25",
        GithubActions.command("error", Map.of("title", "berth x: y"), "line one\nline two 100%"));
    assertEquals("::group::Pushing", GithubActions.command("group", "Pushing"));
    assertEquals("::endgroup::", GithubActions.command("endgroup", ""));
  }

  @Test
  void looksLikeCommand_catchesBothSyntaxes() {
    assertTrue(GithubActions.looksLikeCommand("::set-output name=x::y"));
    assertTrue(GithubActions.looksLikeCommand("   ::add-mask::x"));
    assertTrue(GithubActions.looksLikeCommand("event: ##[set-output name=x;]y"));
    assertFalse(GithubActions.looksLikeCommand("[ecs-scale] desired 2 -> 3 :: fine"));
  }

  @Test
  void kebab_turnsResultKeysIntoOutputNames() {
    assertEquals("load-balancer-dns-name", GithubActions.kebab("loadBalancerDnsName"));
    assertEquals("task-definition-arn", GithubActions.kebab("taskDefinitionArn"));
    assertEquals("exit-code", GithubActions.kebab("exitCode"));
    assertEquals("digest", GithubActions.kebab("digest"));
    assertEquals("repository-uri", GithubActions.kebab("repositoryUri"));
    assertEquals("previous-desired-count", GithubActions.kebab("previousDesiredCount"));
  }

  @Test
  void outputEntry_singleLine_isNameEqualsValue() {
    assertEquals("digest=sha256:abc\n", GithubActions.outputEntry("digest", "sha256:abc"));
    assertEquals("x=a=b<<c\n", GithubActions.outputEntry("x", "a=b<<c"));
    assertEquals("empty=\n", GithubActions.outputEntry("empty", ""));
  }

  @Test
  void outputEntry_multiLine_usesAHeredocDelimiterTheValueLacks() {
    String entry = GithubActions.outputEntry("error", "first\nsecond\r\nghadelimiter_x");
    assertTrue(entry.startsWith("error<<ghadelimiter_"), entry);
    String delimiter = entry.substring("error<<".length(), entry.indexOf('\n'));
    assertFalse("first\nsecond\r\nghadelimiter_x".contains(delimiter));
    assertTrue(entry.endsWith("\n" + delimiter + "\n"), entry);
    assertEquals(Map.of("error", "first\nsecond\r\nghadelimiter_x"), parseOutputFile(entry));
  }

  @Test
  void outputEntry_refusesNamesTheFileFormatCannotHold() {
    assertThrows(IllegalArgumentException.class, () -> GithubActions.outputEntry("a=b", "x"));
    assertThrows(IllegalArgumentException.class, () -> GithubActions.outputEntry("a<<b", "x"));
  }

  @Test
  void outputs_oneByKeyInKebabCase_nestedAsJson_plusResult() throws Exception {
    ObjectNode r = (ObjectNode) Json.mapper().readTree("{\"digest\":\"sha256:1\",\"desiredCount\":3,\"pushed\":false,"
        + "\"tags\":[\"v1\",\"latest\"],\"autoscaling\":{\"min\":1,\"max\":4},\"error\":\"a\\nb\",\"gone\":null}");
    Map<String, String> o = GithubActions.outputs(r);
    assertEquals("sha256:1", o.get("digest"));
    assertEquals("3", o.get("desired-count"));
    assertEquals("false", o.get("pushed"));
    assertEquals("[\"v1\",\"latest\"]", o.get("tags"));
    assertEquals("{\"min\":1,\"max\":4}", o.get("autoscaling"));
    assertEquals("a\nb", o.get("error"));
    assertEquals("", o.get("gone"));
    assertEquals(r, Json.mapper().readTree(o.get("result")));
    StringBuilder file = new StringBuilder();
    o.forEach((k, v) -> file.append(GithubActions.outputEntry(k, v)));
    assertEquals(o, parseOutputFile(file.toString()));
  }

  @Test
  void summary_forADeploy_showsDigestRevisionVerdictEndpointAndEvents() throws Exception {
    ObjectNode r = (ObjectNode) Json.mapper().readTree("{\"taskDefinitionArn\":\"arn:aws:ecs:us-east-2:1:task-definition/"
        + "gantt-exporter-ecs-task:7\",\"containers\":{\"gantt-exporter-container\":\"1.dkr.ecr/x@sha256:ab\"},"
        + "\"deploymentId\":\"ecs-svc/1\",\"rolloutState\":\"COMPLETED\",\"desiredCount\":2,\"runningCount\":2,"
        + "\"loadBalancerDnsName\":\"gantt-123.us-east-2.elb.amazonaws.com\",\"ok\":true}");
    String md = GithubActions.summary("ecs-deploy-service", r, 0,
        List.of("rolloutState IN_PROGRESS", "(service gantt) has reached a steady state. <b>|x|</b>"));
    assertTrue(md.startsWith("### ✅ berth ecs-deploy-service: succeeded"), md);
    assertTrue(md.contains("| Task definition | <code>gantt-exporter-ecs-task:7</code> revision 7 |"), md);
    assertTrue(md.contains("| Verdict | <b>COMPLETED</b> |"), md);
    assertTrue(md.contains("| Endpoint | http://gantt-123.us-east-2.elb.amazonaws.com |"), md);
    assertTrue(md.contains("<code>1.dkr.ecr/x@sha256:ab</code>"), md);
    assertTrue(md.contains("| Tasks | 2 running / 2 desired |"), md);
    assertTrue(md.contains("| <code>load-balancer-dns-name</code> | <code>gantt-123.us-east-2.elb.amazonaws.com</code> |"), md);
    assertTrue(md.contains("&lt;b&gt;&#124;x&#124;&lt;/b&gt;"), "events are text, never markup: " + md);
  }

  @Test
  void summary_forAFailure_showsExitCodeOutcomeAndError() throws Exception {
    ObjectNode r = (ObjectNode) Json.mapper().readTree("{\"rolloutState\":\"ROLLED_BACK\",\"ok\":false,"
        + "\"error\":\"rolled back: essential container exited | code 1\",\"outcome\":\"FAILED\",\"exitCode\":1}");
    String md = GithubActions.summary("ecs-force-redeploy", r, 1, List.of());
    assertTrue(md.startsWith("### ❌ berth ecs-force-redeploy: failed (exit 1, FAILED)"), md);
    assertTrue(md.contains("> rolled back: essential container exited &#124; code 1"), md);
    assertFalse(md.contains("Events"), md);
  }

  @Test
  void summary_whenDryRun_showsThePlanWithOldAndNewValues() {
    ObjectNode r = Json.tree(Map.of("dryRun", true, "changes", List.of(
        dev.berth.report.Change.update("ecs:service", "gantt/web", List.of(
            dev.berth.report.Change.Field.of("desiredCount", 2, 3))),
        dev.berth.report.Change.create("ecr:image-tag", "repo:<v2>", List.of(
            dev.berth.report.Change.Field.set("digest", "sha256:abc"))))));
    String md = GithubActions.summary("ecs-scale", r, 0, List.of());
    assertTrue(md.contains("#### Plan (dry run: nothing was changed): 2 changes"), md);
    assertTrue(md.contains("- ✏️ update <code>ecs:service</code> <b>gantt/web</b>\n"
        + "  - desiredCount: <code>2</code> → <code>3</code>\n"), md);
    assertTrue(md.contains("- ➕ create <code>ecr:image-tag</code> <b>repo:&lt;v2&gt;</b>\n"
        + "  - digest: <code>sha256:abc</code>\n"), md);
  }

  @Test
  void summary_whenDryRunChangesNothing_saysNoChanges() {
    ObjectNode r = Json.tree(Map.of("dryRun", true, "changes", List.of()));
    assertTrue(GithubActions.summary("ecs-scale", r, 0, List.of()).contains("Plan (dry run: nothing was changed): "
        + "no changes"));
  }
}
