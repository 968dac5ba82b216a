package dev.berth.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.testbed.Servers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/demo.sh runs the sample flow end to end (its own moto_server and registry) and prints each result. */
class DemoScriptIT {
  @TempDir Path tmp;

  @Test
  void demo_runsTheFiveStepsAndPrintsTheEndpoint() throws Exception {
    Servers.requireProgram("moto_server", "comes with the machine's Python");
    Servers.requireProgram("aws", "the AWS CLI v1 comes with the machine's Python");
    Path out = tmp.resolve("out.txt");
    Path err = tmp.resolve("err.txt");
    ProcessBuilder pb = new ProcessBuilder("bash", "scripts/demo.sh").redirectOutput(out.toFile())
        .redirectError(err.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("BERTH_") || k.equals("GITHUB_ACTIONS"));
    // a fresh jar in every build: recording each step's start-up cache would only cost time here
    pb.environment().put("BERTH_CDS", "off");
    Process p = pb.start();
    assertTrue(p.waitFor(8, TimeUnit.MINUTES), "demo.sh did not finish");
    String stdout = Files.readString(out);
    String stderr = Files.readString(err);
    assertEquals(0, p.exitValue(), "demo.sh failed\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr);
    for (String step : new String[] {"ecr-push", "ecs-register-task", "ecs-deploy-service", "ecs-force-redeploy",
        "ecs-scale"}) {
      assertTrue(stderr.contains("=== berth " + step + " "), step + " ran\n" + stderr);
    }
    Matcher ok = Pattern.compile("\"ok\": true").matcher(stdout);
    int results = 0;
    while (ok.find()) {
      results++;
    }
    assertEquals(5, results, "five successful results printed\n" + stdout);
    assertTrue(stdout.contains("\"desiredCount\": 3"), stdout);
    assertTrue(stdout.matches("(?s).*gantt-exporter is served at http://[^ ]+\\.elb\\.amazonaws\\.com/.*"), stdout);
  }
}
