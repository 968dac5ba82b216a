package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The action's shell entry point (.github/action/entrypoint.sh) turning INPUT_* variables into berth's argv,
 * with a stand-in java that prints its arguments, and the prepare script's Java and cache decisions.
 */
class ActionEntrypointTest {
  static final Path ENTRYPOINT = Path.of(".github/action/entrypoint.sh").toAbsolutePath();
  static final Path PREPARE = Path.of(".github/action/prepare.sh").toAbsolutePath();

  @TempDir Path tmp;
  Path fakeJava;
  Path fakeJar;

  record Result(int code, String stdout, String stderr) {
    /** The arguments java received after -jar JAR. */
    List<String> berthArgs() {
      List<String> args = new ArrayList<>();
      for (String line : stdout.split("\n")) {
        if (line.startsWith("<") && line.endsWith(">")) {
          args.add(line.substring(1, line.length() - 1));
        }
      }
      int jar = args.indexOf("-jar");
      return jar < 0 ? args : args.subList(jar + 2, args.size());
    }
  }

  @BeforeEach
  void fakes() throws IOException {
    fakeJava = tmp.resolve("fake-java");
    Files.writeString(fakeJava, "#!/bin/sh\nfor a in \"$@\"; do printf '<%s>\\n' \"$a\"; done\n");
    fakeJava.toFile().setExecutable(true);
    fakeJar = tmp.resolve("berth.jar");
    Files.writeString(fakeJar, "not a jar");
  }

  Result run(Path script, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString());
    pb.environment().keySet().removeIf(k -> k.startsWith("INPUT_") || k.startsWith("BERTH_") || k.startsWith("GITHUB_"));
    pb.environment().put("BERTH_JAVA", fakeJava.toString());
    pb.environment().put("BERTH_JAR", fakeJar.toString());
    pb.environment().putAll(env);
    pb.environment().values().removeIf(v -> v == null);
    Path out = tmp.resolve("out.txt");
    Path err = tmp.resolve("err.txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("entrypoint did not finish");
    }
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  Result entry(String... kv) throws Exception {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      env.put(kv[i], kv[i + 1]);
    }
    return run(ENTRYPOINT, env);
  }

  @Test
  void classDataArchive_isOffOnGithubHostedRunners_andRecordedOnSelfHosted() throws Exception {
    String cache = tmp.resolve("cds-cache").toString();
    Result hosted = entry("INPUT_STEP", "ecs-scale", "INPUT_CLUSTER", "c", "INPUT_SERVICE", "s",
        "INPUT_DESIRED_COUNT", "2", "RUNNER_ENVIRONMENT", "github-hosted", "BERTH_CACHE_DIR", cache);
    assertEquals(0, hosted.code(), hosted.toString());
    assertFalse(hosted.stdout().contains("ArchiveClassesAtExit"), hosted.stdout());
    assertFalse(hosted.stdout().contains("SharedArchiveFile"), hosted.stdout());
    Result selfHosted = entry("INPUT_STEP", "ecs-scale", "INPUT_CLUSTER", "c", "INPUT_SERVICE", "s",
        "INPUT_DESIRED_COUNT", "2", "RUNNER_ENVIRONMENT", "self-hosted", "BERTH_CACHE_DIR", cache);
    assertEquals(0, selfHosted.code(), selfHosted.toString());
    assertTrue(selfHosted.stdout().contains("ArchiveClassesAtExit"), selfHosted.stdout());
    // the action keeps the start-up cache in the Actions cache (prepare.sh's startup-cache-path): on there too
    Result kept = entry("INPUT_STEP", "ecs-scale", "INPUT_CLUSTER", "c", "INPUT_SERVICE", "s",
        "INPUT_DESIRED_COUNT", "2", "RUNNER_ENVIRONMENT", "github-hosted", "BERTH_CACHE_DIR", cache + "2",
        "BERTH_ACTION_STARTUP_CACHE", cache + "2/cds");
    assertEquals(0, kept.code(), kept.toString());
    assertTrue(kept.stdout().contains("ArchiveClassesAtExit"), kept.stdout());
  }

  /** A java that answers -version with VERSION and prints its argv otherwise. */
  Path javaOf(String name, String version) throws IOException {
    Path bin = Files.createDirectories(tmp.resolve(name).resolve("bin"));
    Path java = bin.resolve("java");
    Files.writeString(java, "#!/bin/sh\n[ \"$1\" = -version ] && { echo 'openjdk version \"" + version
        + "\" 2025-09-16' >&2; exit 0; }\nfor a in \"$@\"; do printf '<%s>\\n' \"$a\"; done\n");
    java.toFile().setExecutable(true);
    return java;
  }

  @Test
  void inputs_becomeOneArgumentEach_withoutShellInterpretation() throws Exception {
    Result r = entry("INPUT_STEP", "ecs-force-redeploy",
        "INPUT_CLUSTER", "  gantt  \n",
        "INPUT_SERVICE", "gantt exporter $(touch /tmp/pwned) `id` \"quoted\" 'single' *",
        "INPUT_IMAGE", "gantt-exporter-container=1.dkr.ecr.us-east-2.amazonaws.com/x@sha256:ab\n\n  sidecar=a=b  \n",
        "INPUT_WAIT", "false",
        "INPUT_TIMEOUT", "20m",
        "INPUT_VERBOSE", "2",
        "INPUT_QUIET", "",
        "INPUT_REGION", "us-east-2");
    assertEquals(0, r.code(), r.stderr());
    assertEquals(List.of("ecs-force-redeploy", "--region=us-east-2", "--verbose", "--verbose", "--cluster=gantt",
        "--service=gantt exporter $(touch /tmp/pwned) `id` \"quoted\" 'single' *",
        "--image=gantt-exporter-container=1.dkr.ecr.us-east-2.amazonaws.com/x@sha256:ab", "--image=sidecar=a=b",
        "--no-wait", "--timeout=20m"), r.berthArgs());
    assertFalse(Files.exists(Path.of("/tmp/pwned")));
  }

  @Test
  void flags_trueGivesTheOption_falseTheNegatedFormOrNothing() throws Exception {
    Result r = entry("INPUT_STEP", "ecs-force-redeploy", "INPUT_CLUSTER", "c", "INPUT_SERVICE", "s",
        "INPUT_WAIT", "true", "INPUT_ROLLBACK", "false", "INPUT_QUIET", "TRUE", "INPUT_VERBOSE", "false");
    assertEquals(0, r.code(), r.stderr());
    assertEquals(List.of("ecs-force-redeploy", "--quiet", "--cluster=c", "--service=s", "--wait"), r.berthArgs());
  }

  @Test
  void badBoolean_isAUsageErrorAnnotation() throws Exception {
    Result r = entry("INPUT_STEP", "ecs-scale", "INPUT_WAIT", "yes please");
    assertEquals(2, r.code());
    assertEquals("::error title=berth action::input wait takes true or false, got 'yes please'\n", r.stderr());
    assertEquals("", r.stdout(), "nothing ran");
  }

  @Test
  void inputTheStepDoesNotTake_isRefusedNamingTheStepsThatDo() throws Exception {
    Result r = entry("INPUT_STEP", "ecs-scale", "INPUT_CLUSTER", "c", "INPUT_IMAGE", "x=y", "INPUT_ROLLBACK", "true");
    assertEquals(2, r.code());
    assertTrue(r.stderr().startsWith("::error title=berth action::step ecs-scale does not take these inputs: "
        + "image (taken by:"), r.stderr());
    assertTrue(r.stderr().contains("rollback (taken by: ecs-force-redeploy)"), r.stderr());
    assertEquals("", r.stdout());
  }

  @Test
  void missingOrUnknownStep_isAUsageError() throws Exception {
    Result none = entry();
    assertEquals(2, none.code());
    assertTrue(none.stderr().contains("the step input is required: one of ecr-push ecs-register-task "
        + "ecs-deploy-service ecs-scale ecs-force-redeploy"), none.stderr());
    Result bad = entry("INPUT_STEP", "ecs-deploy;rm -rf /");
    assertEquals(2, bad.code());
    assertTrue(bad.stderr().contains("unknown step 'ecs-deploy;rm -rf /'"), bad.stderr());
  }

  @Test
  void multiLineValue_forASingleValueInput_isRefused() throws Exception {
    Result r = entry("INPUT_STEP", "ecs-scale", "INPUT_CLUSTER", "a\nb");
    assertEquals(2, r.code());
    assertTrue(r.stderr().contains("input cluster takes one value, got several lines"), r.stderr());
  }

  @Test
  void everyStep_acceptsAllItsOwnInputs_fromTheGeneratedTable() throws Exception {
    for (String step : ActionYaml.STEP_CLASSES.keySet()) {
      List<String> env = new ArrayList<>(List.of("INPUT_STEP", step));
      List<String> expected = new ArrayList<>(List.of(step));
      for (ActionYaml.Input i : ActionYaml.inputs()) {
        if (!i.step().equals(step)) {
          continue;
        }
        String value = switch (i.kind()) {
          case FLAG, COUNT -> "true";
          case MAP -> "k=v";
          default -> "v";
        };
        env.addAll(List.of(i.envVar(), value));
        expected.add(switch (i.kind()) {
          case FLAG, COUNT -> i.option();
          default -> i.option() + "=" + value;
        });
      }
      Result r = entry(env.toArray(String[]::new));
      assertEquals(0, r.code(), step + "\n" + r.stderr());
      assertEquals(expected, r.berthArgs(), step);
    }
  }

  @Test
  void prepare_findsTheNewestJava25_andCachesOnlyWhenItMustDownload() throws Exception {
    Path output = tmp.resolve("prepare-output");
    Path java17 = javaOf("jdk17", "17.0.15");
    Path java25 = javaOf("jdk25", "25.0.1");
    Map<String, String> env = new HashMap<>();
    env.put("GITHUB_OUTPUT", output.toString());
    env.put("RUNNER_TOOL_CACHE", tmp.resolve("toolcache").toString());
    env.put("INPUT_BERTH_VERSION", "1.2.3");
    env.put("BERTH_JAR", "");
    env.put("BERTH_JAVA", "");
    env.put("JAVA_HOME", java17.getParent().getParent().toString());
    env.put("JAVA_HOME_25_X64", java25.getParent().getParent().toString());
    Result r = run(PREPARE, env);
    assertEquals(0, r.code(), r.stderr());
    Map<String, String> o = GithubActionsTest.parseOutputFile(Files.readString(output));
    assertEquals(java25.toString(), o.get("java"), "the runner's Java 25 wins over JAVA_HOME's 17: " + r.stderr());
    String cacheDir = tmp.resolve("toolcache").resolve("berth").toString();
    assertEquals(cacheDir, o.get("cache-dir"));
    assertEquals(cacheDir + "/1.2.3", o.get("cache-path"));
    assertTrue(o.get("cache-key").startsWith("berth-jar-1.2.3-published-"), o.toString());

    // the jar is already on this machine: nothing to restore or save
    Files.createDirectories(Path.of(cacheDir, "1.2.3"));
    Files.writeString(Path.of(cacheDir, "1.2.3", "berth-1.2.3.jar"), "jar");
    Files.delete(output);
    assertEquals(0, run(PREPARE, env).code());
    assertEquals(null, GithubActionsTest.parseOutputFile(Files.readString(output)).get("cache-path"));

    // an explicit jar: nothing to cache either
    env.put("INPUT_BERTH_JAR", fakeJar.toString());
    env.put("INPUT_BERTH_VERSION", "9.9.9");
    Files.delete(output);
    assertEquals(0, run(PREPARE, env).code());
    assertEquals(null, GithubActionsTest.parseOutputFile(Files.readString(output)).get("cache-path"));

    // the job's own BERTH_JAVA (17+) is used as it is
    env.put("BERTH_JAVA", java17.toString());
    Files.delete(output);
    assertEquals(0, run(PREPARE, env).code());
    assertEquals(java17.toString(), GithubActionsTest.parseOutputFile(Files.readString(output)).get("java"));
  }

  @Test
  void prepare_onGithubHostedRunnersWithAReleasedJar_keepsTheStartupCacheInTheActionsCache() throws Exception {
    Path output = tmp.resolve("prepare-output");
    Map<String, String> env = new HashMap<>();
    env.put("GITHUB_OUTPUT", output.toString());
    env.put("RUNNER_TOOL_CACHE", tmp.resolve("toolcache").toString());
    env.put("RUNNER_ENVIRONMENT", "github-hosted");
    env.put("RUNNER_OS", "Linux");
    env.put("RUNNER_ARCH", "X64");
    env.put("INPUT_BERTH_VERSION", "1.2.3");
    env.put("BERTH_JAR", "");
    Result r = run(PREPARE, env);
    assertEquals(0, r.code(), r.stderr());
    Map<String, String> o = GithubActionsTest.parseOutputFile(Files.readString(output));
    assertEquals(tmp.resolve("toolcache").resolve("berth").resolve("cds").toString(), o.get("startup-cache-path"));
    assertEquals("berth-startup-1.2.3-Linux-X64", o.get("startup-cache-key"));

    // a jar built in the job is new every time: its start-up cache could never be reused
    env.put("INPUT_BERTH_JAR", fakeJar.toString());
    Files.delete(output);
    assertEquals(0, run(PREPARE, env).code());
    assertEquals(null, GithubActionsTest.parseOutputFile(Files.readString(output)).get("startup-cache-key"));
    // nor on self-hosted runners, which keep it on disk, nor when the job turned it off
    env.remove("INPUT_BERTH_JAR");
    env.put("RUNNER_ENVIRONMENT", "self-hosted");
    Files.delete(output);
    assertEquals(0, run(PREPARE, env).code());
    assertEquals(null, GithubActionsTest.parseOutputFile(Files.readString(output)).get("startup-cache-key"));
    env.put("RUNNER_ENVIRONMENT", "github-hosted");
    env.put("BERTH_CDS", "off");
    Files.delete(output);
    assertEquals(0, run(PREPARE, env).code());
    assertEquals(null, GithubActionsTest.parseOutputFile(Files.readString(output)).get("startup-cache-key"));
  }

  @Test
  void prepare_withoutJava25_leavesJavaEmptySoTheActionSetsItUp() throws Exception {
    Path old = tmp.resolve("old-java");
    Files.writeString(old, "#!/bin/sh\necho 'openjdk version \"11.0.22\" 2024-01-16' >&2\n");
    old.toFile().setExecutable(true);
    // a PATH with the tools prepare.sh uses and no java
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    for (String tool : List.of("awk", "cut", "sha256sum", "shasum", "sh", "bash", "dirname", "tr")) {
      Path found = dev.berth.testbed.Servers.which(tool);
      if (found != null) {
        Files.createSymbolicLink(bin.resolve(tool), found);
      }
    }
    Path output = tmp.resolve("prepare-output");
    Map<String, String> env = new HashMap<>();
    env.put("GITHUB_OUTPUT", output.toString());
    env.put("BERTH_JAVA", old.toString());
    env.put("BERTH_JAR", "");
    env.put("JAVA_HOME", javaOf("jdk17", "17.0.15").getParent().getParent().toString()); // 17 alone: set up 25
    env.put("PATH", bin.toString());
    env.put("INPUT_BERTH_VERSION", "1.2.3");
    for (String k : System.getenv().keySet()) {
      if (k.startsWith("JAVA_HOME_")) {
        env.put(k, "");
      }
    }
    Result r = run(PREPARE, env);
    assertEquals(0, r.code(), r.stderr());
    Map<String, String> o = GithubActionsTest.parseOutputFile(Files.readString(output, StandardCharsets.UTF_8));
    assertEquals("", o.get("java"), r.stderr());
    assertTrue(r.stderr().contains("setting up Temurin 25"), r.stderr());
  }

  /** A copy of the action's scripts and the launcher (as a checkout has them), with this release.properties. */
  Path actionCopy(String release) throws IOException {
    Path root = tmp.resolve("action-copy");
    for (String f : List.of(".github/action/prepare.sh", ".github/action/entrypoint.sh", ".github/action/source.sh",
        ".github/action/build-jar.sh", ".github/action/inputs.tsv", "resources/dev/berth/berth.sh", "pom.xml")) {
      Files.createDirectories(root.resolve(f).getParent());
      Files.copy(Path.of(f), root.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    Files.createDirectories(root.resolve("src/main/java"));
    Files.writeString(root.resolve("src/main/java/A.java"), "class A {}");
    Files.writeString(root.resolve("resources/dev/berth/release.properties"), release);
    return root;
  }

  @Test
  void prepare_atACommitWithNoRelease_cachesTheSourceBuildByTheSourcesDigest() throws Exception {
    Path root = actionCopy("version=\nurl=\nsha256=\n");
    Path output = tmp.resolve("prepare-output");
    Map<String, String> env = new HashMap<>(Map.of("GITHUB_OUTPUT", output.toString(),
        "RUNNER_TOOL_CACHE", tmp.resolve("toolcache").toString(), "BERTH_JAR", ""));
    assertEquals(0, run(root.resolve(".github/action/prepare.sh"), env).code());
    Map<String, String> o = GithubActionsTest.parseOutputFile(Files.readString(output));
    String key = o.get("cache-key");
    assertTrue(key.matches("berth-source-[0-9a-f]{20}"), o.toString());
    assertEquals(tmp.resolve("toolcache/berth/source-" + key.substring("berth-source-".length())).toString(),
        o.get("cache-path"));

    // another source, another key; the same source, the same key
    Files.writeString(root.resolve("src/main/java/A.java"), "class A { int changed; }");
    Files.delete(output);
    assertEquals(0, run(root.resolve(".github/action/prepare.sh"), env).code());
    String changed = GithubActionsTest.parseOutputFile(Files.readString(output)).get("cache-key");
    assertTrue(!changed.equals(key), changed);
    Files.writeString(root.resolve("src/main/java/A.java"), "class A {}");
    Files.delete(output);
    assertEquals(0, run(root.resolve(".github/action/prepare.sh"), env).code());
    assertEquals(key, GithubActionsTest.parseOutputFile(Files.readString(output)).get("cache-key"));
  }

  @Test
  void prepare_atARelease_cachesTheReleasesJarByVersionAndChecksum() throws Exception {
    String sha = "ab".repeat(32);
    Path root = actionCopy("version=4.5.6\nurl=https://github.com/acme/berth/releases/download/v4.5.6/berth-4.5.6.jar\n"
        + "sha256=" + sha + "\n");
    Path output = tmp.resolve("prepare-output");
    Map<String, String> env = new HashMap<>(Map.of("GITHUB_OUTPUT", output.toString(),
        "RUNNER_TOOL_CACHE", tmp.resolve("toolcache").toString(), "BERTH_JAR", ""));
    assertEquals(0, run(root.resolve(".github/action/prepare.sh"), env).code());
    Map<String, String> o = GithubActionsTest.parseOutputFile(Files.readString(output));
    assertEquals("berth-jar-4.5.6-" + sha.substring(0, 16), o.get("cache-key"));
    assertEquals(tmp.resolve("toolcache/berth/4.5.6-" + sha.substring(0, 12)).toString(), o.get("cache-path"));
  }

  @Test
  void noRelease_andNoMaven_isOneErrorAnnotation_withTheFailureOutputsWritten() throws Exception {
    Path root = actionCopy("version=\nurl=\nsha256=\n");
    // the machine's PATH without mvn
    Path bin = Files.createDirectories(tmp.resolve("bin-no-mvn"));
    for (String dir : System.getenv("PATH").split(":")) {
      if (!Files.isDirectory(Path.of(dir))) {
        continue;
      }
      try (var files = Files.list(Path.of(dir))) {
        for (Path f : files.toList()) {
          Path link = bin.resolve(f.getFileName().toString());
          if (!f.getFileName().toString().equals("mvn") && Files.isExecutable(f) && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(link, f);
          }
        }
      }
    }
    Path output = tmp.resolve("github-output");
    Map<String, String> env = new HashMap<>(Map.of("GITHUB_OUTPUT", output.toString(), "PATH", bin.toString(),
        "BERTH_JAR", "", "BERTH_CACHE_DIR", tmp.resolve("cache").toString(), "INPUT_STEP", "ecs-scale",
        "INPUT_CLUSTER", "c", "INPUT_SERVICE", "s", "INPUT_DESIRED_COUNT", "2"));
    Result r = run(root.resolve(".github/action/entrypoint.sh"), env);
    assertEquals(2, r.code(), r.stderr());
    List<String> annotations = r.stderr().lines().filter(l -> l.startsWith("::error")).toList();
    assertEquals(1, annotations.size(), r.stderr());
    assertTrue(annotations.get(0).contains("no berth jar") && annotations.get(0).contains("mvn is not on this runner")
        && annotations.get(0).contains("berth-jar") && annotations.get(0).contains("OWNER/berth@vX.Y.Z"), annotations.get(0));
    Map<String, String> o = GithubActionsTest.parseOutputFile(Files.readString(output));
    assertEquals("false", o.get("ok"));
    assertEquals("2", o.get("exit-code"));
    assertEquals("USAGE", o.get("outcome"));
    assertTrue(o.get("error").startsWith("no berth jar: "), o.toString());
    var result = dev.berth.report.Json.mapper().readTree(o.get("result"));
    assertEquals(false, result.get("ok").asBoolean());
    assertEquals(2, result.get("exitCode").asInt());
    assertEquals(o.get("error"), result.get("error").asText());
    assertTrue(r.stderr().lines().count() <= 3, "short: " + r.stderr());
  }

  @Test
  void usageError_writesTheFailureOutputsToo() throws Exception {
    Path output = tmp.resolve("github-output");
    Result r = entry("GITHUB_OUTPUT", output.toString(), "INPUT_STEP", "ecs-scale", "INPUT_WAIT", "maybe");
    assertEquals(2, r.code(), r.stderr());
    Map<String, String> o = GithubActionsTest.parseOutputFile(Files.readString(output));
    assertEquals("false", o.get("ok"));
    assertEquals("2", o.get("exit-code"));
    assertTrue(o.get("error").contains("input wait takes true or false"), o.toString());
  }
}
