package dev.berth.testbed;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Small helpers shared by the test-bed servers. */
public final class Servers {
  private Servers() {}

  public static boolean inCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /**
   * A required program is missing: in CI that is a failure (never a skip), on a developer machine the test is
   * skipped with the command that installs it.
   */
  public static void requireProgram(String program, String install) {
    if (which(program) != null) {
      return;
    }
    String msg = program + " is not installed (" + install + "); scripts/test.sh installs it";
    if (inCi()) {
      throw new IllegalStateException("CI=true and " + msg);
    }
    Assumptions.abort(msg);
  }

  /** A program's exit code and its output (stdout and stderr together). */
  public record ProgramRun(int code, String output) {}

  /** Runs COMMAND in DIR to its end (at most 5 minutes, else it is killed and this throws). */
  public static ProgramRun runProgram(Path dir, List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("program", ".txt");
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(out.toFile()).start();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException(command + " did not finish in 5 minutes");
      }
      return new ProgramRun(p.exitValue(), Files.readString(out));
    } finally {
      Files.deleteIfExists(out);
    }
  }

  public static Path which(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free loopback port", e);
    }
  }

  /** Waits until GET url answers any HTTP status, or fails after the timeout. */
  public static void awaitHttp(URI url, Duration timeout, Process process) {
    Instant end = Instant.now().plus(timeout);
    while (Instant.now().isBefore(end)) {
      if (process != null && !process.isAlive()) {
        throw new IllegalStateException("server for " + url + " exited with " + process.exitValue());
      }
      try {
        HttpURLConnection c = (HttpURLConnection) url.toURL().openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(2000);
        c.getResponseCode();
        c.disconnect();
        return;
      } catch (IOException e) {
        sleep(100);
      }
    }
    throw new IllegalStateException("server at " + url + " did not answer within " + timeout);
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
