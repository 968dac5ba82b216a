package dev.berth.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.berth.testbed.Servers;
import dev.berth.testbed.StaticFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * resources/dev/berth/berth.sh, the launcher the Jenkins vars and the GitHub Action share: argument passing,
 * and the cached, checksum-verified download from a Maven repository layout served on loopback.
 */
class LauncherScriptTest {
  static final Path SCRIPT = Path.of("resources/dev/berth/berth.sh").toAbsolutePath();
  static final String VERSION = "9.8.7";
  static final String JAR_PATH = "/maven2/dev/berth/berth/" + VERSION + "/berth-" + VERSION + ".jar";

  @TempDir Path tmp;
  HttpServer server;
  final Map<String, byte[]> files = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  Path fakeJava;
  byte[] jarBytes = "PK-not-really-a-jar-but-bytes-to-verify".getBytes(StandardCharsets.UTF_8);

  @BeforeEach
  void start() throws IOException {
    server = StaticFiles.start(files, hits);
    // A stand-in java that prints its arguments one per line, so the test sees the exact argv.
    fakeJava = tmp.resolve("fake-java");
    Files.writeString(fakeJava, "#!/bin/sh\nfor a in \"$@\"; do printf '<%s>\\n' \"$a\"; done\n");
    fakeJava.toFile().setExecutable(true);
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  String repo() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/maven2";
  }

  static String hex(String algorithm, byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(b));
  }

  record Run(int code, String out, String err) {}

  Run run(Map<String, String> env, String... args) throws Exception {
    return runLauncher(SCRIPT, env, args);
  }

  Map<String, String> downloadEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("BERTH_VERSION", VERSION);
    env.put("BERTH_MAVEN_REPO", repo());
    env.put("BERTH_CACHE_DIR", tmp.resolve("cache").toString());
    env.put("BERTH_JAVA", fakeJava.toString());
    env.put("BERTH_JAVA_OPTS", "");
    return env;
  }

  Path cachedJar() {
    return tmp.resolve("cache").resolve(VERSION).resolve("berth-" + VERSION + ".jar");
  }

  List<String> cacheFolderFiles() throws IOException {
    Path dir = tmp.resolve("cache").resolve(VERSION);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(x -> x.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void berthJar_runsJavaWithArgumentsVerbatim_fromCommandLineThenEnvironment() throws Exception {
    Path jar = Files.writeString(tmp.resolve("berth.jar"), "x");
    Map<String, String> env = new HashMap<>();
    env.put("BERTH_JAR", jar.toString());
    env.put("BERTH_JAVA", fakeJava.toString());
    env.put("BERTH_JAVA_OPTS", "-Xmx64m -Dx=y");
    String nasty = "a b \"c\" 'd' $(touch " + tmp.resolve("pwned") + ") `id` ; & | \\ $HOME\nsecond line";
    env.put("BERTH_ARGC", "3");
    env.put("BERTH_ARG_1", "--tag");
    env.put("BERTH_ARG_2", nasty);
    env.put("BERTH_ARG_3", "");
    Run r = run(env, "ecr-push", "--repository", "repo name");
    assertEquals(0, r.code(), r.toString());
    String expected = String.join("\n", "<-Xmx64m>", "<-Dx=y>", "<-jar>", "<" + jar + ">", "<ecr-push>",
        "<--repository>", "<repo name>", "<--tag>", "<" + nasty + ">", "<>") + "\n";
    assertEquals(expected, r.out());
    assertFalse(Files.exists(tmp.resolve("pwned")), "an argument was evaluated by the shell");
  }

  @Test
  void arguments_missingVariable_isUsageError() throws Exception {
    Path jar = Files.writeString(tmp.resolve("berth.jar"), "x");
    Run r = run(Map.of("BERTH_JAR", jar.toString(), "BERTH_JAVA", fakeJava.toString(), "BERTH_ARGC", "2",
        "BERTH_ARG_1", "x"), "ecr-push");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("BERTH_ARG_2 is not set"), r.err());
  }

  @Test
  void berthJar_missingFile_isUsageError() throws Exception {
    Run r = run(Map.of("BERTH_JAR", tmp.resolve("nope.jar").toString(), "BERTH_JAVA", fakeJava.toString()));
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("does not exist"), r.err());
  }

  @Test
  void download_verifiedBySha256_isCachedOnceAndReused() throws Exception {
    files.put(JAR_PATH, jarBytes);
    files.put(JAR_PATH + ".sha256", (hex("SHA-256", jarBytes) + "  berth-" + VERSION + ".jar\n").getBytes());
    Run first = run(downloadEnv(), "ecs-scale", "--help");
    assertEquals(0, first.code(), first.toString());
    assertTrue(first.out().contains("<" + cachedJar() + ">\n<ecs-scale>\n<--help>"), first.out());
    assertTrue(first.err().contains("verified"), first.err());
    assertEquals(List.of("berth-" + VERSION + ".jar"), cacheFolderFiles(), "only the jar, no partial file");

    Run second = run(downloadEnv(), "--print-jar");
    assertEquals(0, second.code(), second.toString());
    assertEquals(cachedJar() + "\n", second.out());
    assertEquals(1, hits.get(JAR_PATH).get(), "downloaded once");
    assertTrue(Files.isRegularFile(cachedJar()));
    assertEquals(HexFormat.of().formatHex(jarBytes), HexFormat.of().formatHex(Files.readAllBytes(cachedJar())));
  }

  @Test
  void download_corrupted_isRefusedAndNothingIsCached() throws Exception {
    files.put(JAR_PATH + ".sha256", hex("SHA-256", jarBytes).getBytes());
    byte[] corrupt = jarBytes.clone();
    corrupt[5] ^= 1;
    files.put(JAR_PATH, corrupt);
    Run r = run(downloadEnv(), "ecr-push");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("checksum mismatch"), r.err());
    assertTrue(r.err().contains(hex("SHA-256", jarBytes)) && r.err().contains(hex("SHA-256", corrupt)), r.err());
    assertEquals("", r.out(), "java must not run");
    assertEquals(List.of(), cacheFolderFiles());

    // the repository is fixed: the next run downloads again and succeeds
    files.put(JAR_PATH, jarBytes);
    Run fixed = run(downloadEnv(), "--print-jar");
    assertEquals(0, fixed.code(), fixed.toString());
  }

  @Test
  void download_onlySha1Published_isVerifiedWithAWarning() throws Exception {
    files.put(JAR_PATH, jarBytes);
    files.put(JAR_PATH + ".sha1", hex("SHA-1", jarBytes).toUpperCase().getBytes());
    Run r = run(downloadEnv(), "--print-jar");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.err().contains("weaker"), r.err());
    assertEquals(cachedJar() + "\n", r.out());
  }

  @Test
  void download_sha1Mismatch_isRefused() throws Exception {
    files.put(JAR_PATH, jarBytes);
    files.put(JAR_PATH + ".sha1", hex("SHA-1", "other".getBytes()).getBytes());
    Run r = run(downloadEnv(), "--print-jar");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("checksum mismatch"), r.err());
    assertEquals(List.of(), cacheFolderFiles());
  }

  @Test
  void download_noChecksumPublished_isRefused() throws Exception {
    files.put(JAR_PATH, jarBytes);
    Run r = run(downloadEnv(), "--print-jar");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("no checksum published"), r.err());
    assertEquals(List.of(), cacheFolderFiles());
  }

  @Test
  void download_pinnedSha256_winsOverThePublishedOne() throws Exception {
    files.put(JAR_PATH, jarBytes);
    files.put(JAR_PATH + ".sha256", hex("SHA-256", jarBytes).getBytes());
    Map<String, String> env = downloadEnv();
    env.put("BERTH_SHA256", hex("SHA-256", "something else".getBytes()));
    Run r = run(env, "--print-jar");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("from BERTH_SHA256"), r.err());

    env.put("BERTH_SHA256", hex("SHA-256", jarBytes).toUpperCase());
    Run ok = run(env, "--print-jar");
    assertEquals(0, ok.code(), ok.toString());
  }

  @Test
  void download_missingVersion_saysHowToFixIt() throws Exception {
    Run r = run(downloadEnv(), "--print-jar");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("cannot download " + repo() + JAR_PATH.substring("/maven2".length())), r.err());
    assertTrue(r.err().contains("BERTH_MAVEN_REPO"), r.err());
  }

  @Test
  void download_plainHttpToARemoteHost_isRefused() throws Exception {
    Map<String, String> env = downloadEnv();
    env.put("BERTH_MAVEN_REPO", "http://mirror.example/maven2");
    Run r = run(env, "--print-jar");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("https"), r.err());
  }

  @Test
  void download_withoutCurlOrWgetOrShaTools_usesJavaItself() throws Exception {
    files.put(JAR_PATH, jarBytes);
    files.put(JAR_PATH + ".sha256", hex("SHA-256", jarBytes).getBytes());
    // a PATH with the shell's basic tools only: no curl, wget, sha256sum, shasum, openssl
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    for (String tool : List.of("sh", "mkdir", "mv", "rm", "cat", "tr", "awk", "cut", "sed", "mktemp")) {
      Path real = which(tool);
      Files.createSymbolicLink(bin.resolve(tool), real);
    }
    Map<String, String> env = downloadEnv();
    env.put("BERTH_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    env.put("PATH", bin.toString());
    Run r = run(env, "--print-jar");
    assertEquals(0, r.code(), r.toString());
    assertEquals(cachedJar() + "\n", r.out());

    // and a corrupt file is refused the same way
    Files.delete(cachedJar());
    files.put(JAR_PATH, "tampered".getBytes());
    Run bad = run(env, "--print-jar");
    assertEquals(4, bad.code(), bad.toString());
    assertTrue(bad.err().contains("checksum mismatch"), bad.err());
  }

  static Path which(String tool) {
    Path p = Servers.which(tool);
    if (p == null) {
      throw new IllegalStateException(tool + " not on PATH");
    }
    return p;
  }

  @Test
  void releaseFile_isEmptyBetweenReleases_andNamesThePomVersionInARelease() throws Exception {
    String release = Files.readString(SCRIPT.resolveSibling("release.properties"));
    String pom = Files.readString(Path.of("pom.xml"));
    String version = pom.replaceFirst("(?s).*?<artifactId>berth</artifactId>\\s*<version>([^<]+)</version>.*", "$1");
    String named = release.replaceFirst("(?s).*\nversion=([^\n]*)\n.*", "$1").trim();
    if (version.endsWith("-SNAPSHOT")) {
      assertTrue(release.contains("\nversion=\n") && release.contains("\nurl=\n") && release.contains("\nsha256=\n"),
          "between releases (pom " + version + ") release.properties names no release: " + release);
    } else {
      assertEquals(version, named, "a release commit's release.properties names the pom's version");
      assertTrue(release.matches("(?s).*\nsha256=[0-9a-f]{64}\n.*"), release);
      assertTrue(release.contains("\nurl=https://github.com/"), release);
    }
  }

  // --- the release this launcher belongs to (release.properties beside it), as a Jenkins var writes them ---

  static final String RELEASE = "9.8.7";
  static final String ASSET = "/acme/berth/releases/download/v" + RELEASE + "/berth-" + RELEASE + ".jar";

  /** A copy of the launcher with a release.properties beside it, as the var and the action have them. */
  Path launcherWithRelease(String url, String sha256) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("library"));
    Files.copy(SCRIPT, dir.resolve("berth.sh"), StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(dir.resolve("release.properties"),
        "# test release\nversion=" + RELEASE + "\nurl=" + url + "\nsha256=" + sha256 + "\n");
    return dir.resolve("berth.sh");
  }

  String assetUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + ASSET;
  }

  Run runLauncher(Path launcher, Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("sh", launcher.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("BERTH_"));
    pb.environment().put("HOME", tmp.resolve("home").toString());
    pb.environment().remove("XDG_CACHE_HOME");
    pb.environment().putAll(env);
    Path out = tmp.resolve("out.txt");
    Path err = tmp.resolve("err.txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(2, TimeUnit.MINUTES), "berth.sh did not finish");
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  Map<String, String> releaseEnv() {
    return new HashMap<>(Map.of("BERTH_CACHE_DIR", tmp.resolve("cache").toString(),
        "BERTH_JAVA", fakeJava.toString(), "BERTH_JAVA_OPTS", ""));
  }

  @Test
  void release_downloadedVerifiedCachedOnce_thenRun() throws Exception {
    files.put(ASSET, jarBytes);
    Path launcher = launcherWithRelease(assetUrl(), hex("SHA-256", jarBytes));
    Run first = runLauncher(launcher, releaseEnv(), "ecs-scale", "--help");
    assertEquals(0, first.code(), first.toString());
    assertTrue(first.err().contains("verified (SHA-256 of release " + RELEASE + ")"), first.err());
    String jar = first.out().lines().filter(l -> l.endsWith(".jar>")).findFirst().orElseThrow();
    Path cached = Path.of(jar.substring(1, jar.length() - 1));
    assertTrue(cached.startsWith(tmp.resolve("cache")), cached.toString());
    assertEquals(List.of(jarBytes.length), List.of(Files.readAllBytes(cached).length));
    assertTrue(first.out().endsWith("<ecs-scale>\n<--help>\n"), first.out());

    Run again = runLauncher(launcher, releaseEnv(), "--print-jar");
    assertEquals(0, again.code(), again.toString());
    assertEquals(cached + "\n", again.out());
    assertEquals(1, hits.get(ASSET).get(), "downloaded once");
  }

  @Test
  void release_tamperedAsset_isRefusedAndNothingIsCached() throws Exception {
    files.put(ASSET, "tampered bytes".getBytes(StandardCharsets.UTF_8));
    Path launcher = launcherWithRelease(assetUrl(), hex("SHA-256", jarBytes));
    Run r = runLauncher(launcher, releaseEnv(), "ecs-scale", "--help");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("checksum mismatch (release " + RELEASE + " has " + hex("SHA-256", jarBytes)), r.err());
    assertFalse(r.out().contains("ecs-scale"), "nothing ran: " + r.out());
    try (Stream<Path> s = Files.walk(tmp.resolve("cache"))) {
      assertEquals(List.of(), s.filter(Files::isRegularFile).toList(), "nothing cached");
    }
  }

  @Test
  void release_mirrorUrl_isUsedAndStillVerifiedAgainstTheRelease() throws Exception {
    files.put("/mirror/berth.jar", jarBytes);
    Path launcher = launcherWithRelease("https://github.com/acme/berth/releases/download/v9.8.7/berth-9.8.7.jar",
        hex("SHA-256", jarBytes));
    Map<String, String> env = releaseEnv();
    env.put("BERTH_RELEASE_URL", "http://127.0.0.1:" + server.getAddress().getPort() + "/mirror/berth.jar");
    Run r = runLauncher(launcher, env, "--print-jar");
    assertEquals(0, r.code(), r.toString());
    assertEquals(1, hits.get("/mirror/berth.jar").get());

    files.put("/mirror/other.jar", "another jar".getBytes(StandardCharsets.UTF_8));
    env.put("BERTH_RELEASE_URL", "http://127.0.0.1:" + server.getAddress().getPort() + "/mirror/other.jar");
    env.put("BERTH_CACHE_DIR", tmp.resolve("cache2").toString());
    Run bad = runLauncher(launcher, env, "--print-jar");
    assertEquals(4, bad.code(), bad.toString());
    assertTrue(bad.err().contains("checksum mismatch"), bad.err());
  }

  @Test
  void noRelease_andNothingSet_saysWhatToSetInOneLine() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("between-releases"));
    Files.copy(SCRIPT, dir.resolve("berth.sh"));
    Files.copy(SCRIPT.resolveSibling("release.properties"), dir.resolve("release.properties"));
    Files.writeString(dir.resolve("release.properties"), "version=\nurl=\nsha256=\n");
    Run r = runLauncher(dir.resolve("berth.sh"), releaseEnv(), "ecs-scale");
    assertEquals(2, r.code(), r.toString());
    assertEquals(1, r.err().lines().count(), "one line: " + r.err());
    assertTrue(r.err().contains("BERTH_JAR") && r.err().contains("BERTH_VERSION") && r.err().contains("BERTH_MAVEN_REPO"),
        r.err());
    assertEquals("", r.out());
  }

  @Test
  void mavenFetchFails_oneLineWithMavensFirstError_notItsLog() throws Exception {
    // a mvn that fails the way Maven does on an agent with no route to a repository: twenty lines of errors
    Path bin = Files.createDirectories(tmp.resolve("mvn-bin"));
    StringBuilder log = new StringBuilder("#!/bin/sh\n");
    log.append("echo '[ERROR] Failed to execute goal dependency:copy: Could not resolve dev.berth:berth:jar:9.8.7'\n");
    for (int i = 0; i < 20; i++) {
      log.append("echo '[ERROR] noise line ").append(i).append("'\n");
    }
    log.append("exit 1\n");
    Files.writeString(bin.resolve("mvn"), log.toString());
    bin.resolve("mvn").toFile().setExecutable(true);
    Map<String, String> env = new HashMap<>(Map.of("BERTH_VERSION", VERSION,
        "BERTH_CACHE_DIR", tmp.resolve("cache").toString(), "BERTH_JAVA", fakeJava.toString(),
        "PATH", bin + ":" + System.getenv("PATH")));
    Run r = run(env, "--print-jar");
    assertEquals(4, r.code(), r.toString());
    List<String> lines = r.err().lines().filter(l -> !l.contains("fetching dev.berth:berth")).toList();
    assertEquals(1, lines.size(), "one line, not Maven's log: " + r.err());
    assertTrue(lines.get(0).contains("Could not resolve dev.berth:berth:jar:9.8.7"), r.err());
    assertTrue(lines.get(0).contains("BERTH_MAVEN_REPO") && lines.get(0).contains("BERTH_JAR"), r.err());
    assertFalse(r.err().contains("noise line"), r.err());
  }

  // --- URLs are parsed: https, plain http only to a loopback host, no userinfo ---

  @ParameterizedTest
  @ValueSource(strings = {
      "http://127.attacker.example/maven2",
      "http://127.0.0.1@evil.example/maven2",
      "http://127.0.0.1:PORT@evil.example/maven2",
      "https://user:secret@mirror.example/maven2",
      "http://[::1]@evil.example/maven2",
      "http://localhost.evil.example/maven2",
      "http://127.1/maven2",
      "http://127.0.0.300/maven2",
      "http://mirror.example/maven2",
      "ftp://127.0.0.1/maven2",
      "file:///etc/passwd",
      "https://mirror.example\\@127.0.0.1/maven2",
      "https://mirror.example/a b",
      "https://mirror.example/a\u0001b",
      "https://mirr\u00f6r.example/maven2",
      "http://127.0.0.1.:PORT/maven2",
      "127.0.0.1/maven2"})
  void mavenRepoUrl_refused_beforeAnythingIsFetched(String url) throws Exception {
    files.put(JAR_PATH, jarBytes);
    files.put(JAR_PATH + ".sha256", hex("SHA-256", jarBytes).getBytes());
    Map<String, String> env = downloadEnv();
    env.put("BERTH_MAVEN_REPO", url.replace("PORT", String.valueOf(server.getAddress().getPort())));
    Run r = run(env, "--print-jar");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("BERTH_MAVEN_REPO"), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(hits.isEmpty(), "nothing fetched: " + hits.keySet());
  }

  @Test
  void releaseUrl_withUserinfo_isRefused() throws Exception {
    Path launcher = launcherWithRelease(assetUrl(), hex("SHA-256", jarBytes));
    Map<String, String> env = releaseEnv();
    env.put("BERTH_RELEASE_URL", "http://127.0.0.1@evil.example" + ASSET);
    Run r = runLauncher(launcher, env, "--print-jar");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("BERTH_RELEASE_URL must not carry a user name or password"), r.err());
    assertTrue(hits.isEmpty(), hits.keySet().toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:PORT/maven2",
      "http://localhost:PORT/maven2/", "HTTP://127.0.0.1:PORT/maven2", "http://LocalHost:PORT/maven2"})
  void mavenRepoUrl_loopbackHttp_isAccepted(String url) throws Exception {
    files.put(JAR_PATH, jarBytes);
    files.put(JAR_PATH + ".sha256", hex("SHA-256", jarBytes).getBytes());
    Map<String, String> env = downloadEnv();
    env.put("BERTH_MAVEN_REPO", url.replace("PORT", String.valueOf(server.getAddress().getPort())));
    Run r = run(env, "--print-jar");
    assertEquals(0, r.code(), r.toString());
    assertEquals(cachedJar() + "\n", r.out());
  }

  @Test
  void classDataArchive_recordedOnAStepsFirstSuccessfulRun_thenUsed_andOffWithJavaOpts() throws Exception {
    Path jar = Files.writeString(tmp.resolve("berth.jar"), "x");
    // a java that writes the archive -XX:ArchiveClassesAtExit names, prints its argv, exits with $FAKE_EXIT
    Path java = tmp.resolve("archiving-java");
    Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do case $a in -XX:ArchiveClassesAtExit=*) "
        + "echo archive > \"${a#*=}\";; esac; printf '<%s>\\n' \"$a\"; done\nexit ${FAKE_EXIT:-0}\n");
    java.toFile().setExecutable(true);
    Map<String, String> env = new HashMap<>(Map.of("BERTH_JAR", jar.toString(), "BERTH_JAVA", java.toString(),
        "BERTH_CACHE_DIR", tmp.resolve("cache").toString()));
    Path cds = tmp.resolve("cache").resolve("cds");

    env.put("FAKE_EXIT", "1");
    Run failed = run(env, "ecs-scale", "--cluster", "c");
    assertEquals(1, failed.code(), failed.toString());
    assertTrue(failed.out().contains("<-XX:ArchiveClassesAtExit="), failed.out());
    assertTrue(failed.out().startsWith("<-XX:+UseSerialGC>\n<-XX:TieredStopAtLevel=1>\n"), failed.out());
    try (Stream<Path> s = Files.list(cds)) {
      assertEquals(List.of(), s.toList(), "a failed run keeps no archive");
    }

    env.remove("FAKE_EXIT");
    Run first = run(env, "ecs-scale", "--cluster", "c");
    assertEquals(0, first.code(), first.toString());
    assertTrue(first.out().contains("<-XX:ArchiveClassesAtExit="), first.out());
    List<String> archives;
    try (Stream<Path> s = Files.list(cds)) {
      archives = s.map(p -> p.getFileName().toString()).toList();
    }
    assertEquals(1, archives.size(), archives.toString());
    assertTrue(archives.get(0).matches("ecs-scale-[0-9]+-[0-9]+\\.jsa"), archives.toString());

    Run second = run(env, "ecs-scale", "--cluster", "c");
    assertEquals(0, second.code(), second.toString());
    assertTrue(second.out().contains("<-XX:SharedArchiveFile=" + cds.resolve(archives.get(0)) + ">"), second.out());
    assertFalse(second.out().contains("ArchiveClassesAtExit"), second.out());

    // a rebuilt jar at the same path: a new archive replaces the old one
    Files.writeString(jar, "a longer jar");
    Run rebuilt = run(env, "ecs-scale", "--cluster", "c");
    assertTrue(rebuilt.out().contains("<-XX:ArchiveClassesAtExit="), rebuilt.out());
    try (Stream<Path> s = Files.list(cds)) {
      List<String> now = s.map(p -> p.getFileName().toString()).toList();
      assertEquals(1, now.size(), now.toString());
      assertFalse(now.contains(archives.get(0)), now.toString());
    }

    // a new java at the same path (an upgraded JDK): the same
    List<String> beforeJava;
    try (Stream<Path> s = Files.list(cds)) {
      beforeJava = s.map(p -> p.getFileName().toString()).toList();
    }
    Files.writeString(java, Files.readString(java) + "# a newer build\n");
    Run upgraded = run(env, "ecs-scale", "--cluster", "c");
    assertTrue(upgraded.out().contains("<-XX:ArchiveClassesAtExit="), upgraded.out());
    try (Stream<Path> s = Files.list(cds)) {
      List<String> now = s.map(p -> p.getFileName().toString()).toList();
      assertEquals(1, now.size(), now.toString());
      assertFalse(now.contains(beforeJava.get(0)), now + " after " + beforeJava);
    }

    Run push = run(env, "ecr-push", "--repository", "r");
    assertTrue(push.out().startsWith("<-XX:+UseSerialGC>\n<-XX:ArchiveClassesAtExit="), "no C1 for an ecr-push "
        + "that builds: " + push.out());
    // a copy moves bytes the registry digests: C1 alone, with the archive the first ecr-push recorded
    for (List<String> copy : List.of(List.of("--image", "src/app:1"), List.of("--image=src/app:1"),
        List.of("--oci-layout", "dir"), List.of("--tag", "t", "--oci-layout=dir"))) {
      List<String> args = new java.util.ArrayList<>(List.of("ecr-push", "--repository", "r"));
      args.addAll(copy);
      Run c = run(env, args.toArray(String[]::new));
      assertEquals(0, c.code(), c.toString());
      assertTrue(c.out().startsWith("<-XX:+UseSerialGC>\n<-XX:TieredStopAtLevel=1>\n<-XX:SharedArchiveFile="),
          copy + ": " + c.out());
    }
    Run layoutRef = run(env, "ecr-push", "--repository", "r", "--oci-layout-ref=x", "--tar", "t.tar");
    assertTrue(layoutRef.out().startsWith("<-XX:+UseSerialGC>\n<-XX:SharedArchiveFile="), layoutRef.out());

    env.put("BERTH_JAVA_OPTS", "-Xmx64m");
    Run own = run(env, "ecs-scale", "--cluster", "c");
    assertTrue(own.out().startsWith("<-Xmx64m>\n<-jar>"), "BERTH_JAVA_OPTS replaces the defaults: " + own.out());
    env.put("BERTH_CDS", "on");
    Run on = run(env, "ecs-scale", "--cluster", "c");
    assertTrue(on.out().startsWith("<-Xmx64m>\n<-XX:SharedArchiveFile="), on.out());
    env.put("BERTH_CDS", "maybe");
    assertEquals(2, run(env, "ecs-scale").code());
  }

  /** A JDK folder whose bin/java prints its argv (one {@code <arg>} a line) and whose release file says VERSION. */
  Path fakeJdk(String name, String version) throws IOException {
    Path home = Files.createDirectories(tmp.resolve("jdks").resolve(name));
    Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
    Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
    Files.writeString(java, "#!/bin/sh\necho " + name + "\nfor a in \"$@\"; do printf '<%s>\\n' \"$a\"; done\n");
    java.toFile().setExecutable(true);
    return home;
  }

  @Test
  void java_withoutBerthJava_isTheNewestOfJavaHomePathAndRunnerJdks() throws Exception {
    Path jar = Files.writeString(tmp.resolve("berth.jar"), "x");
    Path jdk17 = fakeJdk("jdk17", "17.0.9");
    Path jdk98 = fakeJdk("jdk98", "98.0.1");
    Path jdk99 = fakeJdk("jdk99", "99");
    Map<String, String> env = new HashMap<>(Map.of("BERTH_JAR", jar.toString(), "BERTH_JAVA_OPTS", "",
        "JAVA_HOME", jdk17.toString(), "PATH", jdk98.resolve("bin") + ":" + System.getenv("PATH")));
    System.getenv().keySet().stream().filter(k -> k.startsWith("JAVA_HOME_")).forEach(k -> env.put(k, ""));

    Run path = run(env, "--version");
    assertEquals(0, path.code(), path.toString());
    assertTrue(path.out().startsWith("jdk98\n"), "the newer java on PATH wins over JAVA_HOME's 17: " + path.out());

    env.put("JAVA_HOME_99_X64", jdk99.toString()); // how GitHub-hosted runners name their JDKs
    Run runner = run(env, "--version");
    assertTrue(runner.out().startsWith("jdk99\n"), runner.out());
    Run print = run(env, "--print-java");
    assertEquals(jdk99.resolve("bin").resolve("java") + " 99\n", print.out(), print.toString());

    env.put("BERTH_JAVA", jdk17.resolve("bin").resolve("java").toString());
    Run pinned = run(env, "--version");
    assertTrue(pinned.out().startsWith("jdk17\n"), "BERTH_JAVA is used as it is: " + pinned.out());

    env.put("BERTH_JAVA", tmp.resolve("no-such-java").toString());
    Run missing = run(env, "--version");
    assertEquals(2, missing.code(), missing.toString());
    assertTrue(missing.err().contains("BERTH_JAVA="), missing.err());
  }

  /**
   * A folder of stand-ins for the programs the launcher used to run before java (and stat, the one a step's
   * start-up cache key still needs): each notes its name and arguments in LOG, then runs the real program.
   */
  Path tripwires(Path log) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("tripwires"));
    for (String tool : List.of("readlink", "awk", "env", "cksum", "tr", "sed", "cut", "stat", "ls", "cat", "grep",
        "printf", "basename", "dirname", "expr", "head")) {
      Path real = Servers.which(tool);
      if (real == null) {
        continue;
      }
      Files.writeString(dir.resolve(tool), "#!/bin/sh\nprintf '%s\\n' \"" + tool + " $*\" >> '" + log + "'\nexec '"
          + real + "' \"$@\"\n");
      dir.resolve(tool).toFile().setExecutable(true);
    }
    return dir;
  }

  @Test
  void java_pathJavaSymlink_isTheJdkItPointsTo_andTheSearchStartsNoProgram() throws Exception {
    Path log = tmp.resolve("programs.log");
    Files.writeString(log, "");
    Path jdk17 = fakeJdk("jdk17", "17.0.9");
    Path jdk98 = fakeJdk("jdk98", "98.0.1");
    Path jdk99 = fakeJdk("jdk99", "99");
    // PATH's java as agents have it: a symlink (here to the JDK a GitHub runner's variable names)
    Path pathBin = Files.createDirectories(tmp.resolve("path-bin"));
    Files.createSymbolicLink(pathBin.resolve("java"), jdk99.resolve("bin").resolve("java"));
    // the release's jar, downloaded once, so that the runs below read release.properties and check its URL
    files.put(ASSET, jarBytes);
    Path launcher = launcherWithRelease(assetUrl(), hex("SHA-256", jarBytes));
    Map<String, String> env = new HashMap<>(Map.of("BERTH_CACHE_DIR", tmp.resolve("cache").toString(),
        "JAVA_HOME", jdk17.toString(), "JAVA_HOME_99_X64", jdk99.toString()));
    System.getenv().keySet().stream().filter(k -> k.startsWith("JAVA_HOME_") && !k.equals("JAVA_HOME_99_X64"))
        .forEach(k -> env.put(k, ""));
    env.put("PATH", pathBin + ":" + System.getenv("PATH"));
    assertEquals(0, runLauncher(launcher, env, "--print-jar").code());

    env.put("PATH", tripwires(log) + ":" + pathBin + ":" + System.getenv("PATH"));
    Run print = runLauncher(launcher, env, "--print-java");
    assertEquals(pathBin.resolve("java") + " 99\n", print.out(), "PATH's java is the JDK it points to, and it "
        + "comes before the runner's variable: " + print);
    Run version = runLauncher(launcher, env, "--version");
    assertEquals(0, version.code(), version.toString());
    assertTrue(version.out().startsWith("jdk99\n"), version.out());
    assertTrue(version.out().endsWith("<--version>\n"), version.out());
    assertEquals(List.of(), programsAbout(log, tmp), "the Java search, release.properties and the URL check start "
        + "no program for PATH's java, JAVA_HOME and the runner's JDK");

    // a step: the start-up cache's key needs the sizes and times of the jar and java (one stat), nothing else
    runLauncher(launcher, env, "ecs-scale", "--cluster", "c"); // records (this java writes nothing: remembered)
    Files.writeString(log, "");
    Run step = runLauncher(launcher, env, "ecs-scale", "--cluster", "c");
    assertEquals(0, step.code(), step.toString());
    assertTrue(step.out().endsWith("<ecs-scale>\n<--cluster>\n<c>\n"), step.out());
    List<String> programs = programsAbout(log, tmp);
    assertEquals(1, programs.size(), programs.toString());
    assertTrue(programs.get(0).startsWith("stat "), programs.toString());

    // a symlink to a JDK that no variable or folder names: resolved (readlink) to read its release file
    Files.delete(pathBin.resolve("java"));
    Files.createSymbolicLink(pathBin.resolve("java"), jdk98.resolve("bin").resolve("java"));
    env.remove("JAVA_HOME_99_X64");
    Run resolved = runLauncher(launcher, env, "--print-java");
    assertEquals(pathBin.resolve("java") + " 98\n", resolved.out(), resolved.toString());
  }

  @Test
  void java_runnerVariable_isTakenLiterally_blanksAndWildcardsIncluded() throws Exception {
    Path jar = Files.writeString(tmp.resolve("berth.jar"), "x");
    Path spaced = fakeJdk("jdk 97", "97");
    fakeJdk("jdk96", "96");
    Map<String, String> env = new HashMap<>(Map.of("BERTH_JAR", jar.toString(), "BERTH_JAVA_OPTS", ""));
    System.getenv().keySet().stream().filter(k -> k.startsWith("JAVA_HOME")).forEach(k -> env.put(k, ""));
    env.put("JAVA_HOME_97_X64", spaced.toString());
    Run blank = run(env, "--print-java");
    assertEquals(spaced.resolve("bin").resolve("java") + " 97\n", blank.out(), blank.toString());
    // a pattern is a path like any other, not a list of the folders it would match (the java running this test
    // is on PATH, so that one is found)
    env.put("JAVA_HOME_97_X64", tmp.resolve("jdks") + "/jdk9*");
    env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
    Run pattern = run(env, "--print-java");
    assertEquals(0, pattern.code(), pattern.toString());
    assertFalse(pattern.out().contains(tmp.toString()), pattern.out());
  }

  /**
   * The programs LOG recorded that concern the test's own files (a machine's own JDK folders may hold symlinks
   * the search resolves; they are not this test's).
   */
  static List<String> programsAbout(Path log, Path under) throws IOException {
    return Files.readAllLines(log).stream()
        .filter(l -> !l.startsWith("readlink ") || l.contains(under.toString())).toList();
  }

  @Test
  void releaseFile_withCarriageReturnsBlanksAndAnUppercaseChecksum_isReadAsWritten() throws Exception {
    files.put(ASSET, jarBytes);
    String sha = hex("SHA-256", jarBytes);
    Path dir = Files.createDirectories(tmp.resolve("crlf"));
    Files.copy(SCRIPT, dir.resolve("berth.sh"));
    Files.writeString(dir.resolve("release.properties"), "# written on Windows\r\nversion = " + RELEASE
        + " \r\nurl=\t" + assetUrl() + "\r\nsha256=" + sha.toUpperCase() + "\r\nversion=0.0.1\r\n");
    Run r = runLauncher(dir.resolve("berth.sh"), releaseEnv(), "--print-jar");
    assertEquals(0, r.code(), r.toString());
    assertEquals(tmp.resolve("cache").resolve(RELEASE + "-" + sha.substring(0, 12)).resolve("berth-" + RELEASE + ".jar")
        + "\n", r.out());
  }

  @Test
  void aheadOfTimeCache_onJava25_recordedOnAStepsFirstSuccessfulRun_assembled_thenUsed() throws Exception {
    Path jar = Files.writeString(tmp.resolve("berth.jar"), "x");
    Path home = Files.createDirectories(tmp.resolve("jdks").resolve("jdk25"));
    Files.writeString(home.resolve("release"), "JAVA_VERSION=\"25.0.1\"\n");
    Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
    // a Java 25 stand-in: the training run writes -XX:AOTConfiguration, the create run writes -XX:AOTCache from
    // it; every run prints its argv and exits with $FAKE_EXIT
    Files.writeString(java, "#!/bin/sh\nmode=; conf=; cache=\nfor a in \"$@\"; do case $a in "
        + "-XX:AOTMode=*) mode=${a#*=};; -XX:AOTConfiguration=*) conf=${a#*=};; -XX:AOTCache=*) cache=${a#*=};; esac; "
        + "printf '<%s>\\n' \"$a\"; done\n"
        + "[ \"$mode\" = record ] && echo config > \"$conf\"\n"
        + "[ \"$mode\" = create ] && { [ -s \"$conf\" ] && echo cache > \"$cache\"; echo created; }\n"
        + "exit ${FAKE_EXIT:-0}\n");
    java.toFile().setExecutable(true);
    Map<String, String> env = new HashMap<>(Map.of("BERTH_JAR", jar.toString(), "BERTH_JAVA", java.toString(),
        "BERTH_CACHE_DIR", tmp.resolve("cache").toString()));
    Path dir = tmp.resolve("cache").resolve("cds");

    env.put("FAKE_EXIT", "1");
    Run failed = run(env, "ecs-register-task", "--file", "td.json");
    assertEquals(1, failed.code(), failed.toString());
    assertTrue(failed.out().contains("<-XX:AOTMode=record>"), failed.out());
    assertFalse(failed.out().contains("<-XX:AOTMode=create>"), "a failed step assembles no cache: " + failed.out());
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of(), s.toList(), "a failed run keeps nothing");
    }

    env.remove("FAKE_EXIT");
    Run first = run(env, "ecs-register-task", "--file", "td.json");
    assertEquals(0, first.code(), first.toString());
    assertTrue(first.out().startsWith(
        "<-XX:+UseSerialGC>\n<-XX:TieredStopAtLevel=1>\n<-Xms16m>\n<-Xmn7m>\n<-Xmx256m>\n<-XX:AOTMode=record>\n"), first.out());
    assertTrue(first.out().contains("<-XX:+DisplayVMOutputToStderr>"), "the JVM's notes stay off stdout: " + first.out());
    assertFalse(first.out().contains("created"), "the assembly run's output stays off stdout: " + first.out());
    assertTrue(first.err().contains("writing the start-up cache of ecs-register-task"), first.err());
    List<String> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.map(p -> p.getFileName().toString()).toList();
    }
    assertEquals(1, files.size(), "the cache alone, no configuration left behind: " + files);
    assertTrue(files.get(0).matches("ecs-register-task-[0-9]+-[0-9]+\\.aot"), files.toString());
    assertEquals("cache\n", Files.readString(dir.resolve(files.get(0))));

    Run second = run(env, "ecs-register-task", "--file", "td.json");
    assertEquals(0, second.code(), second.toString());
    assertTrue(second.out().contains("<-XX:AOTCache=" + dir.resolve(files.get(0)) + ">"), second.out());
    assertFalse(second.out().contains("AOTMode"), second.out());
    assertTrue(second.out().endsWith("<-jar>\n<" + jar + ">\n<ecs-register-task>\n<--file>\n<td.json>\n"),
        second.out());

    // the same jar on Java 17: a class-data archive beside it, the AOT cache untouched
    Path jdk17 = Files.createDirectories(tmp.resolve("jdks").resolve("jdk17"));
    Files.writeString(jdk17.resolve("release"), "JAVA_VERSION=\"17.0.15\"\n");
    Path java17 = Files.createDirectories(jdk17.resolve("bin")).resolve("java");
    Files.writeString(java17, "#!/bin/sh\nfor a in \"$@\"; do case $a in -XX:ArchiveClassesAtExit=*) "
        + "echo archive > \"${a#*=}\";; esac; printf '<%s>\\n' \"$a\"; done\n");
    java17.toFile().setExecutable(true);
    env.put("BERTH_JAVA", java17.toString());
    Run old = run(env, "ecs-register-task", "--file", "td.json");
    assertTrue(old.out().contains("<-XX:ArchiveClassesAtExit="), old.out());
    assertFalse(old.out().contains("AOT"), old.out());
    try (Stream<Path> s = Files.list(dir)) {
      List<String> now = s.map(p -> p.getFileName().toString()).sorted().toList();
      assertEquals(2, now.size(), now.toString());
      assertTrue(now.contains(files.get(0)) && now.stream().anyMatch(f -> f.endsWith(".jsa")), now.toString());
    }

    // a Java 25 that cannot assemble the cache: remembered, so that later runs do not train again
    Files.writeString(jar, "a rebuilt jar");
    env.put("BERTH_JAVA", java.toString());
    env.put("BERTH_CACHE_DIR", tmp.resolve("cache2").toString());
    Files.writeString(java, Files.readString(java).replace("echo cache > \"$cache\";", ":;"));
    Run noCache = run(env, "ecs-scale", "--cluster", "c");
    assertEquals(0, noCache.code(), noCache.toString());
    assertTrue(noCache.out().contains("<-XX:AOTMode=record>"), noCache.out());
    Run after = run(env, "ecs-scale", "--cluster", "c");
    assertFalse(after.out().contains("AOT"), "no cache and no second training run: " + after.out());
  }
}
