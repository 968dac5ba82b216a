package dev.berth.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pom.xml leaves the JSON stack of Google's auth library (Gson, google-http-client-gson) out of berth: Jib
 * needs it only to fetch Google's application-default credentials, which berth never asks for. Jib's
 * credential retrievers berth can use (the Docker config file, credential helpers) still load and work.
 */
class JibWithoutGoogleAuthTest {
  @TempDir Path tmp;

  @Test
  void googleAuthJsonStack_isNotOnTheClasspath() {
    assertThrows(ClassNotFoundException.class, () -> Class.forName("com.google.gson.Gson"));
    assertThrows(ClassNotFoundException.class, () -> Class.forName("com.google.api.client.json.gson.GsonFactory"));
  }

  @Test
  void dockerConfigRetriever_worksWithoutGoogleAuth() throws Exception {
    Path config = tmp.resolve("config.json");
    String auth = Base64.getEncoder().encodeToString("ci-user:s3cret".getBytes());
    Files.writeString(config, "{\"auths\":{\"registry.example:5000\":{\"auth\":\"" + auth + "\"}}}");
    CredentialRetrieverFactory factory =
        CredentialRetrieverFactory.forImage(ImageReference.parse("registry.example:5000/team/app:1"), e -> { });
    Optional<Credential> found = factory.dockerConfig(config).retrieve();
    assertTrue(found.isPresent());
    assertEquals("ci-user", found.get().getUsername());
    assertEquals("s3cret", found.get().getPassword());
    assertEquals(Optional.empty(), CredentialRetrieverFactory
        .forImage(ImageReference.parse("other.example/app"), e -> { }).dockerConfig(config).retrieve());
  }
}
