package dev.berth.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.image.RegistryClient;
import dev.berth.image.RegistryCredentials;
import dev.berth.image.Sleeper;
import dev.berth.image.TestImages;
import dev.berth.jenkins.PipelineHarness.UsernamePassword;
import dev.berth.testbed.MotoServer;
import dev.berth.testbed.Registry;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ecrPush's sourceCredentialsId end to end: a private source registry (htpasswd) whose login is a Jenkins
 * Username with password credential; the var binds it as environment variables, the real runner copies the image
 * into ECR (moto + the local registry), and the password is in no sh text, argument or log line. A wrong
 * password is refused by the registry (exit 4).
 */
class EcrPushSourceCredentialsIT {
  static final String PASSWORD = "private-registry-Password-0042";

  @TempDir Path tmp;

  @Test
  void ecrPush_sourceCredentialsId_copiesFromAPrivateRegistry_withoutThePasswordOnACommandLine() throws Exception {
    MotoServer moto = MotoServer.shared();
    moto.reset();
    try (Registry source = Registry.start("puller", PASSWORD)) {
      RegistryClient src = new RegistryClient(source.url(),
          RegistryCredentials.Source.of(new RegistryCredentials("puller", PASSWORD)), RegistryClient.Settings.defaults(),
          Sleeper.REAL);
      TestImages.Image image = TestImages.image(new Random(42), 2, 4096, false, "amd64");
      TestImages.push(src, "team/app", image, "1.4");

      PipelineHarness h = JenkinsfileIT.realHarness(tmp, "ws", moto, Registry.shared());
      h.credentials.put("registry-reader", new UsernamePassword("puller", PASSWORD));
      @SuppressWarnings("unchecked")
      Map<String, Object> result = (Map<String, Object>) h.run("return ecrPush(credentialsId: 'aws-opensourceapi', "
          + "region: 'us-east-2', repository: 'private-app', image: '" + source.host() + "/team/app:1.4', "
          + "sourceCredentialsId: 'registry-reader')");
      assertEquals(image.manifest().digest(), result.get("digest"), String.join("\n", h.log));
      for (PipelineHarness.Call sh : h.calls("sh")) {
        assertFalse(String.valueOf(sh.arg("script")).contains(PASSWORD));
      }
      for (String line : h.log) {
        assertFalse(line.contains(PASSWORD), "no password in the log: " + line);
      }

      h.credentials.put("registry-reader", new UsernamePassword("puller", "not-the-password"));
      PipelineHarness.PipelineError e = assertThrows(PipelineHarness.PipelineError.class, () -> h.run(
          "return ecrPush(credentialsId: 'aws-opensourceapi', region: 'us-east-2', repository: 'private-app', "
              + "image: '" + source.host() + "/team/app:1.4', tag: ['again'], sourceCredentialsId: 'registry-reader')"));
      assertTrue(e.getMessage().startsWith("ecrPush failed: "), e.getMessage());
      assertFalse(e.getMessage().contains("not-the-password"), e.getMessage());
    }
  }
}
