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

class RegistryLoginsTest {
  @Test
  void find_authEntriesByRegistry_dockerHubUnderItsLegacyKey_identityTokens(@TempDir Path dir) throws Exception {
    String hub = Base64.getEncoder().encodeToString("hubuser:hub-secret-1".getBytes(StandardCharsets.UTF_8));
    String ghcr = Base64.getEncoder().encodeToString("octo:ghcr-secret-2".getBytes(StandardCharsets.UTF_8));
    Files.writeString(dir.resolve("config.json"), "{\"auths\":{"
        + "\"https://index.docker.io/v1/\":{\"auth\":\"" + hub + "\"},"
        + "\"ghcr.io\":{\"auth\":\"" + ghcr + "\"},"
        + "\"myregistry.azurecr.io\":{\"auth\":\"" + Base64.getEncoder().encodeToString(
            "00000000-0000-0000-0000-000000000000:".getBytes(StandardCharsets.UTF_8))
        + "\",\"identitytoken\":\"refresh-secret-3\"}}}");
    Path file = RegistryLogins.configFile(Map.of("DOCKER_CONFIG", dir.toString()));

    assertEquals(new RegistryCredentials("hubuser", "hub-secret-1"),
        RegistryLogins.find(file, "docker.io", Map.of()).orElseThrow());
    assertEquals(new RegistryCredentials("octo", "ghcr-secret-2"),
        RegistryLogins.find(file, "ghcr.io", Map.of()).orElseThrow());
    assertEquals(new RegistryCredentials(RegistryLogins.IDENTITY_TOKEN_USER, "refresh-secret-3"),
        RegistryLogins.find(file, "myregistry.azurecr.io", Map.of()).orElseThrow());
    assertTrue(RegistryLogins.find(file, "quay.io", Map.of()).isEmpty());
    assertEquals("*** *** ***", SecretMasker.global().mask("hub-secret-1 ghcr-secret-2 refresh-secret-3"));
  }

  @Test
  void find_missingFile_isEmpty(@TempDir Path dir) {
    assertTrue(RegistryLogins.find(dir.resolve("none.json"), "ghcr.io", Map.of()).isEmpty());
  }
}
