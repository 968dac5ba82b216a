package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.berth.testbed.Berth;
import dev.berth.testbed.MotoServer;
import dev.berth.testbed.StaticFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new user's first use, from a fresh copy of the repository (the files git tracks, no target/, no jar given):
 * <ul>
 *   <li>the Action at a commit with no release builds berth from its own source with Maven, caches it by the
 *   source's digest, and runs a step against moto; the jar it built is byte for byte target/berth.jar, built
 *   by this build in another folder: two clean builds give the same jar;</li>
 *   <li>a release made with scripts/release.sh, and the launcher of the release commit (the Jenkins library at
 *   that tag) fetching the release's jar from a loopback copy of the GitHub release layout, verifying the
 *   SHA-256 the release recorded, caching it and running a step against moto; a tampered asset is refused.</li>
 * </ul>
 */
class FirstUseIT {
  static final String FAMILY = "first-use-task";

  @TempDir Path tmp;
  MotoServer moto;
  HttpServer releases;
  final Map<String, byte[]> assets = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

  record Run(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  @BeforeEach
  void setUp() throws IOException {
    moto = MotoServer.shared();
    moto.reset();
    releases = StaticFiles.start(assets, hits);
  }

  @AfterEach
  void tearDown() {
    releases.stop(0);
  }

  /** The files git tracks (with their working-tree content), copied to a new folder: a fresh clone. */
  Path freshClone(String name) throws Exception {
    Path clone = Files.createDirectories(tmp.resolve(name));
    Run ls = run(Path.of("."), Map.of(), "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard");
    assertEquals(0, ls.code(), ls.toString());
    for (String f : ls.out().split("\0")) {
      Path src = Path.of(f);
      if (f.isEmpty() || !Files.isRegularFile(src)) {
        continue; // deleted in the working tree
      }
      Path dst = clone.resolve(f);
      Files.createDirectories(dst.getParent());
      Files.copy(src, dst, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
    }
    return clone;
  }

  Run run(Path dir, Map<String, String> env, String... command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("INPUT_") || k.startsWith("BERTH_") || k.startsWith("GITHUB_")
        || k.startsWith("AWS_") || k.startsWith("RUNNER_"));
    pb.environment().put("HOME", tmp.resolve("home").toString());
    pb.environment().put("BERTH_CDS", "off");
    pb.environment().putAll(env);
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(15, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(List.of(command) + " did not finish");
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  Map<String, String> registerInputs() {
    Map<String, String> in = new HashMap<>();
    in.put("INPUT_FAMILY", FAMILY);
    in.put("INPUT_IMAGE", MotoServer.ACCOUNT + ".dkr.ecr.us-east-2.amazonaws.com/app@sha256:" + "0".repeat(64));
    in.put("INPUT_CPU", "256");
    in.put("INPUT_MEMORY", "512");
    in.put("INPUT_PORT", "80/tcp");
    return in;
  }

  @Test
  void actionAtACommit_buildsBerthFromItsSource_onceAndCached_thenRunsAStep() throws Exception {
    Path clone = freshClone("action-at-a-commit");
    String release = Files.readString(clone.resolve("resources/dev/berth/release.properties"));
    assertTrue(release.contains("\nversion=\n"), "this commit names no release: " + release);
    Path toolCache = tmp.resolve("runner-tool-cache");
    Map<String, String> runner = new HashMap<>(moto.env());
    runner.put("RUNNER_TOOL_CACHE", toolCache.toString());
    runner.put("RUNNER_TEMP", Files.createDirectories(tmp.resolve("runner-temp")).toString());
    runner.put("GITHUB_ACTIONS", "true");

    // the composite action's first step: where the jar will be cached, under which key
    Path prepareOut = tmp.resolve("prepare-output");
    runner.put("GITHUB_OUTPUT", prepareOut.toString());
    Run prepare = run(clone, runner, "bash", clone.resolve(".github/action/prepare.sh").toString());
    assertEquals(0, prepare.code(), prepare.toString());
    Map<String, String> prepared = GithubActionsTest.parseOutputFile(Files.readString(prepareOut));
    assertTrue(prepared.get("cache-key").startsWith("berth-source-"), prepared.toString());

    // the per-step action's run step: no berth-jar, no berth-version
    Path output = tmp.resolve("github-output");
    Files.writeString(output, "");
    runner.put("GITHUB_OUTPUT", output.toString());
    runner.put("BERTH_ACTION_CACHE_DIR", prepared.get("cache-dir"));
    runner.put("INPUT_STEP", "ecs-register-task");
    runner.putAll(registerInputs());
    long start = System.nanoTime();
    Run first = run(clone, runner, "bash", clone.resolve(".github/action/entrypoint.sh").toString());
    long buildMillis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(0, first.code(), first.toString());
    assertTrue(first.err().contains("building berth from the action's source"), first.err());
    Map<String, String> o = GithubActionsTest.parseOutputFile(Files.readString(output));
    assertEquals("true", o.get("ok"), o.toString());
    assertEquals("1", o.get("revision"), o.toString());
    assertEquals("true", o.get("berth-jar-downloaded"), "the new jar is saved to the Actions cache: " + o);
    Path built = Path.of(prepared.get("cache-path"), "berth.jar");
    assertTrue(Files.isRegularFile(built), built.toString());
    assertTrue(moto.clients().ecs().describeTaskDefinition(b -> b.taskDefinition(FAMILY)).taskDefinition() != null);

    // reproducible: the clean build in the copy is byte for byte the jar this build made in target/
    assertArrayEquals(Files.readAllBytes(Berth.jar()), Files.readAllBytes(built),
        "two clean builds of one commit gave different jars: " + sha256(Files.readAllBytes(Berth.jar())) + " vs "
            + sha256(Files.readAllBytes(built)));

    // the next use (a later step of the job, or a restored cache) builds nothing
    Files.writeString(output, "");
    runner.put("INPUT_CPU", "512");
    runner.put("INPUT_MEMORY", "1024");
    Run second = run(clone, runner, "bash", clone.resolve(".github/action/entrypoint.sh").toString());
    assertEquals(0, second.code(), second.toString());
    assertFalse(second.err().contains("building berth"), second.err());
    Map<String, String> o2 = GithubActionsTest.parseOutputFile(Files.readString(output));
    assertEquals("2", o2.get("revision"), o2.toString());
    assertEquals(null, o2.get("berth-jar-downloaded"), o2.toString());
    System.out.println("first use at a commit: build + step " + buildMillis + " ms");
  }

  @Test
  void launcherAtARelease_fetchesVerifiesAndCachesTheReleasesJar_thenRunsAStep_andRefusesATamperedOne()
      throws Exception {
    Path clone = freshClone("release");
    for (String[] git : List.of(new String[] {"git", "init", "-q", "-b", "main"},
        new String[] {"git", "-c", "user.name=t", "-c", "user.email=t@example.com", "add", "-A"},
        new String[] {"git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "clone"})) {
      Run r = run(clone, Map.of(), git);
      assertEquals(0, r.code(), r.toString());
    }
    Map<String, String> gitIdentity = Map.of("GIT_AUTHOR_NAME", "t", "GIT_AUTHOR_EMAIL", "t@example.com",
        "GIT_COMMITTER_NAME", "t", "GIT_COMMITTER_EMAIL", "t@example.com");
    Run prepare = run(clone, gitIdentity, "bash", "scripts/release.sh", "prepare", "9.9.9", "acme/berth");
    assertEquals(0, prepare.code(), prepare.toString());
    byte[] jar = Files.readAllBytes(clone.resolve("target/berth.jar"));
    // after the release the repository opens the next version: no release named, so the tag is what users pin
    assertTrue(Files.readString(clone.resolve("resources/dev/berth/release.properties")).contains("\nversion=\n"));
    Run checkout = run(clone, Map.of(), "git", "checkout", "-q", "v9.9.9");
    assertEquals(0, checkout.code(), checkout.toString());
    Run check = run(clone, Map.of(), "bash", "scripts/release.sh", "check", "v9.9.9");
    assertEquals(0, check.code(), check.toString());
    String release = Files.readString(clone.resolve("resources/dev/berth/release.properties"));
    assertTrue(release.contains("\nversion=9.9.9\n"), release);
    assertTrue(release.contains("\nurl=https://github.com/acme/berth/releases/download/v9.9.9/berth-9.9.9.jar\n"), release);
    assertTrue(release.contains("\nsha256=" + sha256(jar) + "\n"), release);
    Run verify = run(clone, Map.of(), "bash", "scripts/release.sh", "verify-jar", "target/berth.jar");
    assertEquals(0, verify.code(), verify.toString());

    // the GitHub release layout on loopback, as a mirror of the asset (BERTH_RELEASE_URL)
    String asset = "/acme/berth/releases/download/v9.9.9/berth-9.9.9.jar";
    assets.put(asset, jar);
    String mirror = "http://127.0.0.1:" + releases.getAddress().getPort() + asset;
    // the Jenkins var writes the library's berth.sh and release.properties side by side on the agent
    Path agent = Files.createDirectories(tmp.resolve("agent-workspace@tmp/berth"));
    Files.copy(clone.resolve("resources/dev/berth/berth.sh"), agent.resolve("berth.sh"));
    Files.copy(clone.resolve("resources/dev/berth/release.properties"), agent.resolve("release.properties"));
    Map<String, String> env = new HashMap<>(moto.env());
    env.put("BERTH_RELEASE_URL", mirror);
    env.put("BERTH_CACHE_DIR", tmp.resolve("agent-cache").toString());
    List<String> step = new ArrayList<>(List.of("sh", agent.resolve("berth.sh").toString(), "ecs-register-task",
        "--family", FAMILY, "--image", MotoServer.ACCOUNT + ".dkr.ecr.us-east-2.amazonaws.com/app@sha256:" + "1".repeat(64),
        "--cpu", "256", "--memory", "512"));
    Run first = run(tmp, env, step.toArray(String[]::new));
    assertEquals(0, first.code(), first.toString());
    assertTrue(first.err().contains("verified (SHA-256 of release 9.9.9)"), first.err());
    assertTrue(first.out().contains("\"revision\":1"), first.out());
    Run again = run(tmp, env, step.toArray(String[]::new));
    assertEquals(0, again.code(), again.toString());
    assertEquals(1, hits.get(asset).get(), "downloaded once, then cached");

    // a tampered asset (same URL, other bytes) is refused: nothing cached, nothing run
    byte[] tampered = jar.clone();
    tampered[tampered.length / 2] ^= 1;
    assets.put(asset, tampered);
    env.put("BERTH_CACHE_DIR", tmp.resolve("agent-cache-2").toString());
    Run refused = run(tmp, env, step.toArray(String[]::new));
    assertEquals(4, refused.code(), refused.toString());
    assertTrue(refused.err().contains("checksum mismatch (release 9.9.9 has " + sha256(jar)), refused.err());
    assertEquals("", refused.out());
    try (Stream<Path> s = Files.walk(tmp.resolve("agent-cache-2"))) {
      assertEquals(List.of(), s.filter(Files::isRegularFile).toList());
    }
    assertEquals(1, moto.clients().ecs().listTaskDefinitions(b -> b.familyPrefix(FAMILY)).taskDefinitionArns().size(),
        "the refused run registered nothing");
    assertTrue(new String(jar, 0, 2, StandardCharsets.ISO_8859_1).equals("PK"));
  }
}
