package dev.berth.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.jenkins.PipelineHarness;
import dev.berth.testbed.Berth;
import dev.berth.testbed.FaultProxy;
import dev.berth.testbed.MotoServer;
import dev.berth.testbed.Registry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every row of docs/bad-inputs.md against the test bed after a complete story run and checks, for each,
 * the exit code, that the message names the culprit, and that nothing changed in moto or in the registry.
 */
class BadInputsIT {
  static final Path TABLE = Path.of("docs", "bad-inputs.md");
  static final Pattern ROW = Pattern.compile(
      "^\\|\\s*(\\d+)\\s*\\|([^|]*)\\|([^|]*)\\|\\s*`([^`]*)`\\s*\\|([^|]*)\\|([^|]*)\\|([^|]*)\\|.*$");

  record Row(int number, String step, String what, String command, String env, String exit, String message) {
    @Override
    public String toString() {
      return "row " + number + " (" + step + ": " + what + ")";
    }
  }

  static List<Row> rows() throws IOException {
    List<Row> rows = new ArrayList<>();
    for (String line : Files.readAllLines(TABLE)) {
      Matcher m = ROW.matcher(line);
      if (m.matches()) {
        rows.add(new Row(Integer.parseInt(m.group(1)), m.group(2).trim(), m.group(3).trim(), m.group(4).trim(),
            m.group(5).trim(), m.group(6).trim(), m.group(7).trim()));
      }
    }
    return rows;
  }

  /** Files the rows name as {file:NAME}. */
  static final Map<String, String> FILES = Map.of(
      "dockerfile-run", "FROM scratch\nCOPY app /app\nRUN chmod +x /app\n",
      "malformed", "{\"family\": \"x\", \"containerDefinitions\": [",
      "typo", "{\"family\": \"x\", \"requiresCompatibilities\": [\"FARGATE\"], \"networkMode\": \"awsvpc\","
          + " \"cpu\": \"256\", \"memory\": \"512\", \"containerDefinitions\": [{\"name\": \"app\","
          + " \"image\": \"nginx:1\", \"memmory\": 512}]}",
      "wrongtype", "{\"taskDefinition\": {\"family\": \"x\", \"revision\": 3, \"status\": \"ACTIVE\","
          + " \"cpu\": \"256\", \"memory\": \"512\", \"containerDefinitions\": {\"name\": \"app\"}}}",
      "duplicate", "{\"family\": \"x\", \"cpu\": \"256\", \"memory\": \"512\", \"containerDefinitions\": [{\"name\":"
          + " \"app\", \"image\": \"nginx:1\", \"image\": \"registry.example.com/other:1\"}]}",
      "deep", "{\"family\": \"x\", \"tags\": " + "[".repeat(100) + "]".repeat(100) + "}",
      "trailing", "{\"family\": \"x\"}\n{\"family\": \"y\"}\n");

  @TempDir
  Path tmp;

  @Test
  void everyBadInput_exitsWithItsCodeAndMessage_andChangesNothing() throws IOException {
    List<Row> rows = rows();
    assertTrue(rows.size() >= 40, "the table has " + rows.size() + " rows, the issue asks for at least 40");
    List<String> problems = new ArrayList<>();
    List<String> report = new ArrayList<>();
    try (Registry target = Flow.ecrRegistry()) {
      Flow flow = new Flow(target);
      // an AWS stand-in for what moto does not do: refuse an unknown key, an expired token; hand out a token
      // the registry refuses
      FaultProxy.Responder refuse = (ex, headers) -> {
        String auth = first(headers, "Authorization");
        boolean json = first(headers, "X-Amz-Target") != null;
        if (auth != null && auth.contains("AKIAUNKNOWNKEY")) {
          return FaultProxy.unknownKey(ex, json);
        }
        if ("EXPIREDTOKEN".equals(first(headers, "X-Amz-Security-Token"))) {
          return FaultProxy.expiredToken(ex, json);
        }
        return null;
      };
      String refusedToken = Base64.getEncoder().encodeToString("AWS:expired-token".getBytes(StandardCharsets.UTF_8));
      String motoToken = Base64.getEncoder().encodeToString(("AWS:" + Flow.TOKEN).getBytes(StandardCharsets.UTF_8));
      try (FaultProxy aws = FaultProxy.to(flow.moto.endpoint()).rate(0).respond(refuse).start();
          FaultProxy refusingAws = FaultProxy.to(flow.moto.endpoint()).rate(0).rewrite((ex, body) ->
              ex.operation().equals("GetAuthorizationToken") ? new String(body, StandardCharsets.UTF_8)
                  .replace(motoToken, refusedToken).getBytes(StandardCharsets.UTF_8) : body).start()) {
        // the story, so that there is something to leave alone
        JsonNode pushed = ok(flow.inProcess(Map.of(), flow.push("1.0", "v1")));
        ok(flow.inProcess(Map.of(), flow.register(pushed.get("image").asText())));
        JsonNode deployed = ok(flow.inProcess(Map.of(), flow.deploy()));
        flow.awsEndpoint = aws.endpoint();
        Map<String, String> values = new HashMap<>();
        values.put("vpc", flow.vpc);
        values.put("subnetA", flow.subnetA);
        values.put("subnetB", flow.subnetB);
        try (var c = flow.aws()) {
          values.put("subnetA2", c.ec2().createSubnet(b -> b.vpcId(flow.vpc).cidrBlock("10.0.3.0/24")
              .availabilityZone("us-east-2a")).subnet().subnetId());
        }
        values.put("source", flow.source.host());
        values.put("image", pushed.get("image").asText());
        values.put("tg", deployed.get("targetGroupArn").asText());
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        values.put("dir", dir.toString());
        for (Map.Entry<String, String> f : FILES.entrySet()) {
          Path p = tmp.resolve(f.getKey() + ".json");
          Files.writeString(p, f.getValue());
          values.put("file:" + f.getKey(), p.toString());
        }
        List<String> before = flow.snapshot();

        for (Row row : rows) {
          String command = substitute(row.command(), values);
          String outcome;
          String text;
          if (row.step().startsWith("var ")) {
            PipelineHarness h = new PipelineHarness(tmp.resolve("ws" + row.number()));
            int[] shCount = {0};
            h.onSh = sh -> {
              shCount[0]++;
              return new PipelineHarness.ShResult(0, "");
            };
            try {
              h.run(command);
              outcome = "ok";
              text = "";
            } catch (RuntimeException | AssertionError e) {
              outcome = "error";
              text = String.valueOf(e.getMessage());
              System.out.println("MESSAGE " + row.number() + " " + text.replace('\n', ' '));
            }
            if (shCount[0] > 0) {
              problems.add(row + ": the var ran sh " + shCount[0] + " time(s) before failing");
            }
          } else {
            Map<String, String> env = new LinkedHashMap<>();
            boolean refuseToken = false;
            for (String kv : row.env().split("\\s+")) {
              if (kv.isBlank()) {
                continue;
              }
              int eq = kv.indexOf('=');
              if (kv.startsWith("BERTH_TEST_REFUSE_TOKEN")) {
                refuseToken = true;
              } else {
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
              }
            }
            String[] args = split(command);
            Berth.Run run;
            if (refuseToken) {
              flow.awsEndpoint = refusingAws.endpoint();
              run = flow.inProcess(Map.of(), args);
              flow.awsEndpoint = aws.endpoint();
            } else if (env.isEmpty()) {
              run = bounded(() -> flow.inProcess(Map.of(), args));
            } else {
              Map<String, String> e = flow.env();
              e.put("AWS_CONFIG_FILE", tmp.resolve("no-config").toString());
              e.put("AWS_SHARED_CREDENTIALS_FILE", tmp.resolve("no-credentials").toString());
              e.put("AWS_DEFAULT_REGION", "-");
              env.forEach((k, v) -> e.put(k, v));
              run = Berth.subprocess(withoutUnset(e), args);
            }
            outcome = String.valueOf(run.exitCode());
            text = run.stdout() + "\n" + run.stderr();
            try {
              System.out.println("MESSAGE " + row.number() + " " + run.json().path("error").asText()
                  .replace('\n', ' '));
            } catch (AssertionError notJson) {
              System.out.println("MESSAGE " + row.number() + " " + run.stderr().strip().split("\n")[0]);
            }
          }
          List<String> after = flow.snapshot();
          boolean unchanged = after.equals(before);
          report.add(String.format("%2d %-20s %-6s %s", row.number(), row.step(), outcome,
              firstLine(text).replace('\n', ' ')));
          System.out.println(report.get(report.size() - 1));
          if (!outcome.equals(row.exit())) {
            problems.add(row + ": exit " + outcome + ", the table says " + row.exit() + ":\n" + text);
          }
          if (!text.contains(row.message())) {
            problems.add(row + ": the message lacks '" + row.message() + "':\n" + text);
          }
          if (!unchanged) {
            problems.add(row + " changed the account or the registry: " + diff(before, after));
            before = after;
          }
        }
      }
    }
    System.out.println(String.join("\n", report));
    assertTrue(problems.isEmpty(), problems.size() + " problems:\n" + String.join("\n\n", problems));
  }

  /**
   * A row that is wrongly accepted may start a rollout and watch it for the step's default timeout: give up
   * after 60 s (the row fails) instead of waiting.
   */
  private static Berth.Run bounded(java.util.function.Supplier<Berth.Run> run) {
    java.util.concurrent.CompletableFuture<Berth.Run> f = new java.util.concurrent.CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        f.complete(run.get());
      } catch (Throwable e) {
        f.completeExceptionally(e);
      }
    }, "bad-input-row");
    t.setDaemon(true);
    t.start();
    try {
      return f.get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      return new Berth.Run(-1, "", "did not finish within 60 s (the input was accepted and a rollout is watched)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  private static String first(Map<String, List<String>> headers, String name) {
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue().get(0);
      }
    }
    return null;
  }

  private static JsonNode ok(Berth.Run run) {
    assertEquals(0, run.exitCode(), run.toString());
    return run.json();
  }

  private static Map<String, String> withoutUnset(Map<String, String> env) {
    Map<String, String> out = new HashMap<>();
    env.forEach((k, v) -> {
      if (!v.equals("-")) {
        out.put(k, v);
      }
    });
    // Berth.subprocess adds to the test JVM's environment: unset means "empty" there
    env.forEach((k, v) -> {
      if (v.equals("-")) {
        out.put(k, "");
      }
    });
    return out;
  }

  static String substitute(String command, Map<String, String> values) {
    Matcher m = Pattern.compile("\\{([a-zA-Z0-9:-]+)\\}").matcher(command);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String v = values.get(m.group(1));
      if (v == null) {
        throw new IllegalStateException("unknown placeholder " + m.group() + " in " + command);
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(v));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** Splits on spaces; the table's commands need no quoting. */
  static String[] split(String command) {
    return command.trim().split("\\s+");
  }

  private static String firstLine(String text) {
    for (String line : text.split("\n")) {
      if (line.contains("ERROR") || line.startsWith("{") || line.contains("error")) {
        return line.length() > 160 ? line.substring(0, 160) : line;
      }
    }
    return text.length() > 160 ? text.substring(0, 160) : text;
  }

  private static String diff(List<String> before, List<String> after) {
    List<String> gone = new ArrayList<>(before);
    gone.removeAll(after);
    List<String> added = new ArrayList<>(after);
    added.removeAll(before);
    return "\n  - " + String.join("\n  - ", gone) + "\n  + " + String.join("\n  + ", added);
  }

  static {
    // the region moto serves; referenced so that the table's placeholders and the bed agree
    assert MotoServer.REGION.equals("us-east-2");
  }
}
