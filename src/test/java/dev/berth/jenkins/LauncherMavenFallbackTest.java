package dev.berth.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.testbed.Servers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without BERTH_MAVEN_REPO the launcher lets Maven fetch dev.berth:berth with its own repository settings
 * (no repository host is built into berth). The artifact is placed in this user's local Maven repository
 * under a version no release uses, so Maven resolves it without the network; BERTH_SHA256 still pins it.
 */
class LauncherMavenFallbackTest {
  // unique per run: parallel builds on one machine share ~/.m2 and must not remove each other's artifact
  private static final String VERSION = "0.0.0-launchertest-" + ProcessHandle.current().pid() + "-"
      + Long.toHexString(System.nanoTime());
  private static final Path LAUNCHER = Path.of("resources/dev/berth/berth.sh");
  @TempDir Path tmp;
  private Path artifactDir;
  private Path jar;

  @BeforeEach
  void installFakeRelease() throws Exception {
    Servers.requireProgram("mvn", "Maven 3.8 comes with the machine");
    Path repo = Path.of(System.getProperty("user.home"), ".m2", "repository");
    artifactDir = repo.resolve("dev/berth/berth/" + VERSION);
    Files.createDirectories(artifactDir);
    // a tiny runnable jar: enough to prove the launcher runs what Maven fetched
    jar = artifactDir.resolve("berth-" + VERSION + ".jar");
    Path src = tmp.resolve("src");
    Files.createDirectories(src);
    Files.writeString(src.resolve("Hello.java"),
        "public class Hello { public static void main(String[] a) { System.out.println(\"fetched-by-maven \" + String.join(\" \", a)); } }");
    run(tmp, "javac", "-d", src.toString(), src.resolve("Hello.java").toString());
    Files.writeString(src.resolve("manifest.txt"), "Main-Class: Hello\n");
    run(tmp, "jar", "cfm", jar.toString(), src.resolve("manifest.txt").toString(), "-C", src.toString(), "Hello.class");
    Files.writeString(artifactDir.resolve("berth-" + VERSION + ".pom"),
        "<project><modelVersion>4.0.0</modelVersion><groupId>dev.berth</groupId><artifactId>berth</artifactId>"
            + "<version>" + VERSION + "</version></project>");
  }

  @AfterEach
  void removeFakeRelease() throws IOException {
    if (artifactDir != null && Files.exists(artifactDir)) {
      try (Stream<Path> s = Files.walk(artifactDir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void noRepositoryUrl_mavenFetchesAndTheJarIsCachedAndRun() throws Exception {
    Path cache = tmp.resolve("cache");
    Result r = launcher(cache, null, "step", "--flag");
    assertEquals(0, r.code, r.out);
    assertTrue(r.out.contains("fetched-by-maven step --flag"), r.out);
    assertTrue(r.out.contains("fetching dev.berth:berth:" + VERSION + " with Maven"), r.out);
    assertTrue(Files.isRegularFile(cache.resolve(VERSION).resolve("berth-" + VERSION + ".jar")));
  }

  @Test
  void noRepositoryUrl_wrongPin_isRefusedAndNothingCached() throws Exception {
    Path cache = tmp.resolve("cache-pinned");
    Result r = launcher(cache, "00" + "ab".repeat(31), "step");
    assertEquals(4, r.code, r.out);
    assertTrue(r.out.contains("checksum mismatch"), r.out);
    assertFalse(r.out.contains("fetched-by-maven"), r.out);
    assertFalse(Files.exists(cache.resolve(VERSION).resolve("berth-" + VERSION + ".jar")));
  }

  private record Result(int code, String out) {}

  private Result launcher(Path cache, String pin, String... args) throws Exception {
    ProcessBuilder pb = new ProcessBuilder();
    pb.command().add("sh");
    pb.command().add(LAUNCHER.toString());
    pb.command().addAll(java.util.List.of(args));
    pb.environment().remove("BERTH_JAR");
    pb.environment().remove("BERTH_MAVEN_REPO");
    pb.environment().put("BERTH_VERSION", VERSION);
    pb.environment().put("BERTH_CACHE_DIR", cache.toString());
    if (pin != null) {
      pb.environment().put("BERTH_SHA256", pin);
    }
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "launcher did not finish");
    return new Result(p.exitValue(), out);
  }

  private static void run(Path dir, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + "\n" + out);
  }
}
