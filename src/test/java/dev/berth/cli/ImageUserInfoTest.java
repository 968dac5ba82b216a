package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.testbed.Berth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials written into an image reference (https://KEY:SECRET@host/...) are refused before any call (exit
 * 3), and the secret appears nowhere: not on stderr, stdout, nor in the result file. The endpoint is a closed
 * port and BERTH_API_LOG stays empty, so no AWS call was made.
 */
class ImageUserInfoTest {
  static final String KEY = "AKIAIMAGEUSERINFO001";
  static final String SECRET = "wJalrXUtnFEMI-ImageRefSecret-0001";

  @TempDir
  Path dir;

  Berth.Run run(String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of(args));
    Path result = dir.resolve("result.json");
    all.addAll(List.of("--region", "us-east-2", "--endpoint-url", "http://127.0.0.1:9", "--result-file",
        result.toString()));
    Path log = dir.resolve("api.log");
    Berth.Run r = Berth.inProcess(Map.of("BERTH_API_LOG", log.toString()), all.toArray(String[]::new));
    String everything = r.stdout() + r.stderr() + Files.readString(result);
    for (String secret : List.of(SECRET, KEY + ":" + SECRET)) {
      assertFalse(everything.contains(secret), "the secret leaked:\n" + r + "\n--- result file\n"
          + Files.readString(result));
    }
    assertEquals("", Files.readString(log), "no AWS call");
    return r;
  }

  @Test
  void ecrPush_imageWithUserInfo_exit3_secretNowhere() throws IOException {
    for (String image : List.of("https://" + KEY + ":" + SECRET + "@registry.example.com/team/app:1",
        KEY + ":" + SECRET + "@registry.example.com/team/app:1")) {
      Berth.Run r = run("ecr-push", "--repository", "app", "--image", image);
      assertEquals(ExitCodes.INVALID_INPUT, r.exitCode(), r.toString());
      assertTrue(r.json().path("error").asText().startsWith("invalid input: --image: not an image reference: it "
          + "holds user information (user:password@)"), r.toString());
    }
  }

  @Test
  void registerAndRedeploy_imageWithUserInfo_exit3_secretNowhere() throws IOException {
    String image = "https://" + KEY + ":" + SECRET + "@registry.example.com/team/app:1";
    Berth.Run r = run("ecs-register-task", "--family", "f", "--container-name", "app", "--image", image, "--cpu",
        "256", "--memory", "512");
    assertEquals(ExitCodes.INVALID_INPUT, r.exitCode(), r.toString());
    assertTrue(r.stdout().contains("containerDefinitions[0].image: not an image reference: it holds user"
        + " information"), r.toString());
  }
}
