package dev.berth.testbed;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Debian's {@code docker-registry} (Docker Distribution 2.8) on a free loopback port, storing in a temporary
 * folder, optionally behind htpasswd basic auth (the ECR token path: user {@code AWS}, password the token).
 */
public final class Registry implements AutoCloseable {
  private static Registry shared;
  private final Process process;
  private final int port;
  private final Path root;

  private Registry(Process process, int port, Path root) {
    this.process = process;
    this.port = port;
    this.root = root;
  }

  /** One open registry (no auth) for the whole test JVM. */
  public static synchronized Registry shared() {
    if (shared == null) {
      shared = start(null, null);
      Registry r = shared;
      java.lang.Runtime.getRuntime().addShutdownHook(new Thread(r::close));
    }
    return shared;
  }

  /** A new registry; with user and password set, it requires basic auth. */
  public static Registry start(String user, String password) {
    Servers.requireProgram("docker-registry", "apt-get install -y docker-registry");
    try {
      Path root = Files.createTempDirectory("registry-");
      int port = Servers.freePort();
      StringBuilder cfg = new StringBuilder()
          .append("version: 0.1\n")
          .append("log:\n  level: error\n  accesslog:\n    disabled: true\n")
          .append("storage:\n  filesystem:\n    rootdirectory: ").append(root.resolve("data")).append('\n')
          .append("  delete:\n    enabled: true\n")
          .append("http:\n  addr: 127.0.0.1:").append(port).append('\n');
      if (user != null) {
        Servers.requireProgram("htpasswd", "apt-get install -y apache2-utils");
        Path htpasswd = root.resolve("htpasswd");
        Process hp = new ProcessBuilder("htpasswd", "-Bbn", user, password).redirectErrorStream(false).start();
        String line = new String(hp.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (hp.waitFor() != 0) {
          throw new IllegalStateException("htpasswd failed");
        }
        Files.writeString(htpasswd, line + "\n");
        cfg.append("auth:\n  htpasswd:\n    realm: berth-test\n    path: ").append(htpasswd).append('\n');
      }
      Path config = root.resolve("config.yml");
      Files.writeString(config, cfg.toString());
      ProcessBuilder pb = new ProcessBuilder("docker-registry", "serve", config.toString());
      pb.redirectErrorStream(true).redirectOutput(root.resolve("registry.log").toFile());
      Process p = pb.start();
      Servers.awaitHttp(URI.create("http://127.0.0.1:" + port + "/v2/"), Duration.ofSeconds(30), p);
      return new Registry(p, port, root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start docker-registry", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code 127.0.0.1:PORT}, the host part of image references. */
  public String host() {
    return "127.0.0.1:" + port;
  }

  public URI url() {
    return URI.create("http://" + host());
  }

  public Path root() {
    return root;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
