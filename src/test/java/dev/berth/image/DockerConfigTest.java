package dev.berth.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.report.SecretMasker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigTest {
  @Test
  void find_authEntriesByRegistry_dockerHubUnderItsLegacyKey(@TempDir Path dir) throws Exception {
    String hub = Base64.getEncoder().encodeToString("hubuser:hub-secret-1".getBytes(StandardCharsets.UTF_8));
    Files.writeString(dir.resolve("config.json"), "{\"auths\":{"
        + "\"https://index.docker.io/v1/\":{\"auth\":\"" + hub + "\"},"
        + "\"ghcr.io\":{\"username\":\"octo\",\"password\":\"ghcr-secret-2\"}},"
        + "\"credsStore\":\"desktop\"}");
    Path file = DockerConfig.file(Map.of("DOCKER_CONFIG", dir.toString()));

    assertEquals(new RegistryCredentials("hubuser", "hub-secret-1"), DockerConfig.find(file, "docker.io").orElseThrow());
    assertEquals(new RegistryCredentials("octo", "ghcr-secret-2"), DockerConfig.find(file, "ghcr.io").orElseThrow());
    assertTrue(DockerConfig.find(file, "quay.io").isEmpty());
    assertEquals("*** ***", SecretMasker.global().mask("hub-secret-1 ghcr-secret-2"));
  }

  @Test
  void find_missingOrBrokenFile_isEmpty(@TempDir Path dir) throws Exception {
    assertTrue(DockerConfig.find(dir.resolve("none.json"), "ghcr.io").isEmpty());
    Files.writeString(dir.resolve("config.json"), "{not json");
    assertTrue(DockerConfig.find(dir.resolve("config.json"), "ghcr.io").isEmpty());
  }
}
