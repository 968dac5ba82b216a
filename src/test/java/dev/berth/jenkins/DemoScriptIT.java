package dev.berth.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import dev.berth.report.Json;
import dev.berth.testbed.Servers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
    // stdout is the five results, one JSON object each, then the endpoint line: nothing else (a caller parses it)
    int end = stdout.lastIndexOf("gantt-exporter is served at ");
    assertTrue(end > 0, stdout);
    assertTrue(stdout.substring(end).matches("gantt-exporter is served at http://[^ ]+\\.elb\\.amazonaws\\.com/ "
        + "\\(on moto: the name only, nothing listens\\)\n"), stdout.substring(end));
    List<JsonNode> results = new ArrayList<>();
    try (MappingIterator<JsonNode> it = Json.mapper().readerFor(JsonNode.class).readValues(stdout.substring(0, end))) {
      it.forEachRemaining(results::add);
    }
    assertEquals(5, results.size(), "five results printed\n" + stdout);
    assertTrue(results.stream().allMatch(r -> r.path("ok").asBoolean()), stdout);
    assertEquals(3, results.get(4).path("desiredCount").asInt(), stdout);
    assertTrue(stdout.substring(end).contains(results.get(2).path("loadBalancerDnsName").asText("?")),
        "the endpoint is the deploy's loadBalancerDnsName");
  }
}
