package dev.berth.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Main;
import dev.berth.report.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs berth in-process (fast) or as {@code java -jar target/berth.jar} (the real thing) and captures its output. */
public final class Berth {
  private Berth() {}

  /** What a run gave: exit code, stdout, stderr, and stdout's JSON object. */
  public record Run(int exitCode, String stdout, String stderr) {
    public JsonNode json() {
      String[] lines = stdout.strip().split("\n");
      try {
        return Json.mapper().readTree(lines[lines.length - 1]);
      } catch (IOException e) {
        throw new AssertionError("stdout is not one JSON object: " + stdout + "\nstderr:\n" + stderr, e);
      }
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
    }
  }

  /**
   * In this JVM, against moto: --region and --endpoint-url are added. Credentials come from the system
   * properties aws.accessKeyId/aws.secretAccessKey that the build sets for tests.
   */
  public static Run inProcess(MotoServer moto, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (all.isEmpty() || all.get(0).startsWith("-")) {
      return inProcess(Map.of(), args);
    }
    all.addAll(List.of("--region", MotoServer.REGION, "--endpoint-url", moto.endpoint().toString()));
    return inProcess(Map.of(), all.toArray(String[]::new));
  }

  public static Run inProcess(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Map<String, String> e = new HashMap<>(System.getenv());
    e.remove("GITHUB_ACTIONS");
    e.putAll(env);
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream r = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Main.run(args, e, o, r);
    }
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The shaded jar the build made. */
  public static Path jar() {
    String p = System.getProperty("berth.jar");
    Path jar = p != null ? Path.of(p) : Path.of("target", "berth.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run mvn package first (integration tests run after it)");
    }
    return jar.toAbsolutePath();
  }

  /** As a separate process: {@code java -jar berth.jar ARGS} with exactly this environment added to ours. */
  public static Run subprocess(Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.addAll(List.of(args));
    try {
      Path out = Files.createTempFile("berth-out", ".txt");
      Path err = Files.createTempFile("berth-err", ".txt");
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().remove("GITHUB_ACTIONS");
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("berth did not finish in 10 minutes: " + cmd);
      }
      Run run = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return run;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
