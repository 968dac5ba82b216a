package dev.berth.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.berth.jenkins.StepKeys.Key;
import dev.berth.jenkins.StepKeys.Step;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The vars' keys, their .txt help pages and the CLI options agree. The var files are generated from the picocli
 * model; this test fails when they are stale and rewrites them with {@code -Dberth.regenerate=true}.
 */
class VarsInSyncTest {
  static final Path ROOT = PipelineHarness.ROOT;

  @TempDir Path tmp;

  @Test
  void generatedFiles_matchTheCliModel() throws Exception {
    boolean regenerate = Boolean.getBoolean("berth.regenerate");
    List<String> stale = new ArrayList<>();
    for (Map.Entry<String, String> e : VarsGenerator.generate().entrySet()) {
      Path p = ROOT.resolve(e.getKey());
      String current = Files.exists(p) ? Files.readString(p) : null;
      if (!e.getValue().equals(current)) {
        if (regenerate) {
          Files.createDirectories(p.getParent());
          Files.writeString(p, e.getValue());
        } else {
          stale.add(e.getKey());
        }
      }
    }
    if (!stale.isEmpty()) {
      fail("stale generated vars (the CLI options changed): " + stale + "\nregenerate with: "
          + VarsGenerator.REGENERATE);
    }
  }

  @Test
  void varsFolder_holdsTheLauncherWithBerthAndOneVarPerStep() throws Exception {
    Set<String> expected = new TreeSet<>(List.of("berth.groovy", "berth.txt", "withBerth.groovy", "withBerth.txt"));
    for (Step s : StepKeys.steps()) {
      expected.add(s.var() + ".groovy");
      expected.add(s.var() + ".txt");
    }
    Set<String> actual = new TreeSet<>();
    try (Stream<Path> files = Files.list(ROOT.resolve("vars"))) {
      files.forEach(p -> actual.add(p.getFileName().toString()));
    }
    assertEquals(expected, actual);
    assertEquals(List.of("ecrPush", "ecsRegisterTask", "ecsDeployService", "ecsScale", "ecsForceRedeploy"),
        StepKeys.steps().stream().map(Step::var).toList(), "the steps berth documents");
  }

  /**
   * The Global Variable Reference shows vars/*.txt through the controller's markup formatter: plain text (line
   * breaks and indentation kept) or Safe HTML (which would drop a {@code <name>} placeholder as an unknown tag
   * and read {@code &name;} as an entity). Neither character may appear, and lines stay short.
   */
  @Test
  void helpPages_readTheSameUnderPlainTextAndSafeHtml() throws Exception {
    try (Stream<Path> files = Files.list(ROOT.resolve("vars"))) {
      for (Path p : files.filter(f -> f.toString().endsWith(".txt")).toList()) {
        List<String> lines = Files.readAllLines(p);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i);
          assertFalse(line.contains("<") || line.contains("&"), p.getFileName() + ":" + (i + 1) + ": " + line);
          assertTrue(line.length() <= 140, p.getFileName() + ":" + (i + 1) + " is " + line.length() + " characters");
        }
      }
    }
  }

  /** Reads each var's key table by running the var's keys() and compares it with the CLI options directly. */
  @Test
  void varKeys_areTheCliOptionsInCamelCase() {
    PipelineHarness h = new PipelineHarness(tmp);
    CommandLine root = dev.berth.cli.Main.commandLine();
    for (Map.Entry<String, CommandLine> sub : root.getSubcommands().entrySet()) {
      String var = StepKeys.camel(sub.getKey());
      assertNotNull(h.var(var), "no var for berth " + sub.getKey());
      @SuppressWarnings("unchecked")
      Map<String, Map<String, Object>> keys = (Map<String, Map<String, Object>>) h.var(var).invokeMethod("keys", null);
      Set<String> fromCli = new LinkedHashSet<>();
      for (OptionSpec o : sub.getValue().getCommandSpec().options()) {
        if (o.hidden() || StepKeys.NOT_KEYS.contains(o.longestName())) {
          continue;
        }
        String key = StepKeys.camel(o.longestName());
        fromCli.add(key);
        Map<String, Object> spec = keys.get(key);
        assertNotNull(spec, var + " lacks key " + key + " for " + o.longestName());
        assertEquals(o.longestName(), spec.get("option"), var + "." + key);
        assertEquals(o.required(), Boolean.TRUE.equals(spec.get("required")), var + "." + key + " required");
        boolean bool = o.type() == boolean.class || o.type() == Boolean.class;
        if (bool && !o.isMultiValue()) {
          assertTrue(List.of("BOOLEAN", "NEGATABLE").contains(spec.get("kind")), var + "." + key + " is boolean");
        }
        boolean boolArray = o.type().isArray() && (o.type().getComponentType() == boolean.class
            || o.type().getComponentType() == Boolean.class);
        if (o.isMultiValue() && !boolArray) {
          assertTrue(List.of("LIST", "CSV", "MAP").contains(spec.get("kind")), var + "." + key + " is repeatable");
        }
      }
      assertEquals(fromCli, keys.keySet(), var + ": keys and CLI options");
    }
  }

  static final Pattern TXT_KEY = Pattern.compile("(?m)^  ([A-Za-z]+) \\(([^)]*)\\)(?:  (--[a-z0-9-]+))?");

  @Test
  void helpPages_listEveryKeyWithItsOption_andNothingElse() throws Exception {
    for (Step s : StepKeys.steps()) {
      String txt = Files.readString(ROOT.resolve("vars/" + s.var() + ".txt"));
      Matcher m = TXT_KEY.matcher(txt);
      Set<String> listed = new LinkedHashSet<>();
      while (m.find()) {
        String key = m.group(1);
        listed.add(key);
        Key k = s.key(key);
        if (k != null) {
          assertEquals(k.option(), m.group(3), s.var() + ".txt: option of " + key);
        } else {
          assertTrue(StepKeys.libraryKeys(s.var()).containsKey(key), s.var() + ".txt lists unknown key " + key);
        }
      }
      Set<String> expected = new LinkedHashSet<>();
      s.keys().forEach(k -> expected.add(k.name()));
      expected.addAll(StepKeys.libraryKeys(s.var()).keySet());
      assertEquals(expected, listed, s.var() + ".txt");
      for (String used : VarsGenerator.exampleKeys(VarsGenerator.example(s))) {
        assertTrue(s.key(used) != null || StepKeys.libraryKeys(s.var()).containsKey(used),
            s.var() + ".txt example uses unknown key " + used);
      }
    }
  }

  /** Every per-key example of the help pages is a value the var accepts. */
  @Test
  void helpPageExamples_areAcceptedByTheVars() {
    PipelineHarness h = new PipelineHarness(tmp);
    for (Step s : StepKeys.steps()) {
      for (Key k : s.keys()) {
        String value = VarsGenerator.exampleValue(s, k);
        Object problems = h.run("def td = [taskDefinitionArn: 'arn:td']\ndef img = [image: 'repo@sha256:0']\n"
            + "return berth.plan('" + s.var() + "', '" + s.command() + "', " + s.var() + ".keys(), [" + k.name() + ": "
            + value + "], 'job', '1').problems.findAll { !it.startsWith('missing required') }");
        assertEquals(List.of(), problems, s.var() + " example " + k.name() + ": " + value);
      }
    }
  }

  @Test
  void libraryKeys_inBerthGroovy_matchTheGeneratorsAndBerthTxt() throws Exception {
    PipelineHarness h = new PipelineHarness(tmp);
    @SuppressWarnings("unchecked")
    Map<String, Object> lib = (Map<String, Object>) h.var("berth").invokeMethod("libraryKeys", null);
    assertEquals(StepKeys.libraryKeys().keySet(), lib.keySet());
    for (Step s : StepKeys.steps()) {
      @SuppressWarnings("unchecked")
      Map<String, Object> own = (Map<String, Object>) h.var("berth").invokeMethod("libraryKeys", new Object[] {s.var()});
      assertEquals(StepKeys.libraryKeys(s.var()).keySet(), own.keySet(), s.var());
    }
    String txt = Files.readString(ROOT.resolve("vars/berth.txt"));
    for (String key : lib.keySet()) {
      assertTrue(txt.contains(key + ":"), "berth.txt documents " + key);
    }
    String script = Files.readString(ROOT.resolve("resources/dev/berth/berth.sh"));
    for (String env : List.of("BERTH_JAR", "BERTH_VERSION", "BERTH_MAVEN_REPO", "BERTH_CACHE_DIR", "BERTH_SHA256",
        "BERTH_JAVA")) {
      assertTrue(script.contains(env) && txt.contains(env), env + " is in berth.sh and berth.txt");
    }
  }
}
