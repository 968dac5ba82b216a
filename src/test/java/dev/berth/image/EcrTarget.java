package dev.berth.image;

import dev.berth.testbed.Berth;
import dev.berth.testbed.MotoServer;
import dev.berth.testbed.Registry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the image ITs push to: the shared moto_server (the ECR API) and a registry of their own that wants the ECR
 * token moto hands out (user AWS, password 123456789012-auth-token), as real ECR would, with a client holding that
 * token to read what was pushed. {@link #push} runs ecr-push in-process against both, with no Docker config.
 */
final class EcrTarget implements AutoCloseable {
  static final String TOKEN = MotoServer.ACCOUNT + "-auth-token";

  final MotoServer moto = MotoServer.shared();
  final Registry registry = Registry.start("AWS", TOKEN);
  final RegistryClient client = new RegistryClient(registry.url(),
      RegistryCredentials.Source.of(new RegistryCredentials("AWS", TOKEN)), RegistryClient.Settings.defaults(),
      Sleeper.REAL);

  /** ecr-push ARGS with the endpoints of moto and the registry, in ENV (DOCKER_CONFIG set to a missing file). */
  Berth.Run push(Map<String, String> env, String... args) {
    List<String> all = new ArrayList<>(List.of("ecr-push", "--region", MotoServer.REGION, "--endpoint-url",
        moto.endpoint().toString(), "--registry-endpoint", registry.url().toString()));
    all.addAll(List.of(args));
    Map<String, String> e = new HashMap<>(env);
    e.put("DOCKER_CONFIG", "/nonexistent-docker-config");
    return Berth.inProcess(e, all.toArray(String[]::new));
  }

  @Override
  public void close() {
    registry.close();
  }
}
