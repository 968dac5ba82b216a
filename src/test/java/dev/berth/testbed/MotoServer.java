package dev.berth.testbed;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A real {@code moto_server} on a free loopback port. {@link #shared()} is started once per test JVM with
 * {@code MOTO_ECS_SERVICE_RUNNING=2} (a new service of desired count 2 reports its rollout COMPLETED) and
 * {@code MOTO_IAM_LOAD_MANAGED_POLICIES=true} (AWS managed policies can be attached, as on AWS), and
 * stopped when the JVM exits; tests call {@link #reset()} to start from an empty account.
 */
public final class MotoServer implements AutoCloseable {
  public static final String REGION = "us-east-2";
  public static final String ACCOUNT = "123456789012";
  private static MotoServer shared;

  private final Process process;
  private final URI endpoint;
  private final Path log;

  private MotoServer(Process process, URI endpoint, Path log) {
    this.process = process;
    this.endpoint = endpoint;
    this.log = log;
  }

  public static synchronized MotoServer shared() {
    if (shared == null) {
      // AWS managed policies (AmazonECSTaskExecutionRolePolicy) exist in moto only when it loads them
      shared = start(Map.of("MOTO_ECS_SERVICE_RUNNING", "2", "MOTO_IAM_LOAD_MANAGED_POLICIES", "true"));
      MotoServer s = shared;
      java.lang.Runtime.getRuntime().addShutdownHook(new Thread(s::close));
    }
    return shared;
  }

  public static MotoServer start(Map<String, String> extraEnv) {
    Servers.requireProgram("moto_server", "moto[server] 5.2.1 comes with the machine's Python");
    int port = Servers.freePort();
    try {
      Path log = Files.createTempFile("moto-", ".log");
      ProcessBuilder pb = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", String.valueOf(port));
      pb.environment().putAll(extraEnv);
      pb.redirectErrorStream(true).redirectOutput(log.toFile());
      Process p = pb.start();
      URI endpoint = URI.create("http://127.0.0.1:" + port);
      Servers.awaitHttp(endpoint.resolve("/moto-api/"), Duration.ofSeconds(60), p);
      return new MotoServer(p, endpoint, log);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start moto_server", e);
    }
  }

  public URI endpoint() {
    return endpoint;
  }

  /** Forgets every resource (all services, all regions). */
  public void reset() {
    try {
      HttpURLConnection c = (HttpURLConnection) endpoint.resolve("/moto-api/reset").toURL().openConnection();
      c.setRequestMethod("POST");
      c.setConnectTimeout(2000);
      c.setReadTimeout(30000);
      int code = c.getResponseCode();
      c.disconnect();
      if (code != 200) {
        throw new IllegalStateException("moto reset answered " + code);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot reset moto at " + endpoint, e);
    }
  }

  /** Environment for a berth subprocess (or the AWS CLI) pointed at this server. */
  public Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_ACCESS_KEY_ID", "testing");
    env.put("AWS_SECRET_ACCESS_KEY", "testing");
    env.put("AWS_REGION", REGION);
    env.put("AWS_DEFAULT_REGION", REGION);
    env.put("AWS_ENDPOINT_URL", endpoint.toString());
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    return env;
  }

  /** berth's own client factory pointed at this server (region us-east-2); the caller closes it. */
  public dev.berth.aws.AwsClients clients() {
    return dev.berth.aws.AwsClients.create(
        dev.berth.aws.AwsSettings.defaults().withRegion(REGION).withEndpointUrl(endpoint), Map.of());
  }

  public Path log() {
    return log;
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
