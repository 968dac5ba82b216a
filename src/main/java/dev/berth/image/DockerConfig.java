package dev.berth.image;

import dev.berth.report.ImageReference;
import dev.berth.report.SecretMasker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Registry credentials from a Docker client configuration ({@code $DOCKER_CONFIG/config.json} "auths"). */
public final class DockerConfig {
  private DockerConfig() {}

  /** The config file in force: $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
  public static Path file(Map<String, String> env) {
    String dir = env.get("DOCKER_CONFIG");
    if (dir != null && !dir.isBlank()) {
      return Path.of(dir, "config.json");
    }
    return Path.of(System.getProperty("user.home"), ".docker", "config.json");
  }

  /** Credentials stored for a registry (as written in image references; docker.io for Docker Hub). */
  public static Optional<RegistryCredentials> find(Path file, String registry) {
    if (file == null || !Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Map<String, Object> auths;
    try {
      auths = MiniJson.object(MiniJson.object(MiniJson.parse(Files.readAllBytes(file))).get("auths"));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
    List<String> keys = registry.equals(ImageReference.DOCKER_HUB)
        ? List.of("https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io")
        : List.of(registry, "https://" + registry, "http://" + registry, "https://" + registry + "/v1/",
            "https://" + registry + "/v2/");
    for (String k : keys) {
      Map<String, Object> e = MiniJson.object(auths.get(k));
      if (e.isEmpty()) {
        continue;
      }
      String user = null;
      String pass = null;
      if (MiniJson.string(e, "auth") != null && !MiniJson.string(e, "auth").isEmpty()) {
        String decoded = new String(Base64.getDecoder().decode(MiniJson.string(e, "auth")), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        if (colon > 0) {
          user = decoded.substring(0, colon);
          pass = decoded.substring(colon + 1);
        }
      } else if (MiniJson.string(e, "username") != null) {
        user = MiniJson.string(e, "username");
        pass = String.valueOf(e.getOrDefault("password", ""));
      }
      if (user != null) {
        SecretMasker.global().register(pass);
        SecretMasker.global().register(MiniJson.string(e, "auth"));
        return Optional.of(new RegistryCredentials(user, pass));
      }
    }
    return Optional.empty();
  }
}
