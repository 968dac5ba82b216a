package dev.berth.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.berth.jenkins.PipelineHarness;
import dev.berth.jenkins.PipelineHarness.AwsKeys;
import dev.berth.jenkins.PipelineHarness.SecretFile;
import dev.berth.testbed.Berth;
import dev.berth.testbed.MotoServer;
import dev.berth.testbed.Registry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Jenkins vars, each of the six, succeeding and failing, with a real {@code sh -xe} (which traces every
 * command it runs, expanded) running the real runner against moto and the registry, at the highest verbosity,
 * with sentinel credentials: an AWS Credentials entry and a secret-file credential. No sentinel may appear in
 * any sh script text, in the build log (the traced shell and berth's output), in any step's arguments, or in
 * the maps the vars return.
 */
class SecretsVarsIT {
  static final String KEY_SECRET = "SENTINELjenkinsSecretKey00000000000000000011";
  static final String FILE_SECRET = "SENTINELfileSecretKey000000000000000000000012";
  static final String FILE_CONTENT = "[opensourceapi]\naws_access_key_id = AKIASENTINELFILE0001\n"
      + "aws_secret_access_key = " + FILE_SECRET + "\n";

  @TempDir
  Path tmp;

  @Test
  void theSixVars_withSentinelCredentials_leakNothing() {
    try (Registry target = Flow.ecrRegistry()) {
      Flow flow = new Flow(target);
      PipelineHarness h = new PipelineHarness(tmp.resolve("ws"));
      h.realShell = true;
      h.credentials.put("aws-sentinel", new AwsKeys("AKIASENTINELKEY00001", KEY_SECRET));
      h.credentials.put("aws-file", new SecretFile("credentials", FILE_CONTENT));
      h.baseEnv.put("BERTH_JAR", Berth.jar().toString());
      h.baseEnv.put("AWS_ENDPOINT_URL", flow.moto.endpoint().toString());
      h.baseEnv.put("AWS_EC2_METADATA_DISABLED", "true");
      h.baseEnv.put("BERTH_REGISTRY_ENDPOINT", target.url().toString());
      h.baseEnv.put("DOCKER_CONFIG", tmp.resolve("no-docker-config").toString());
      h.baseEnv.put("AWS_CONFIG_FILE", tmp.resolve("no-config").toString());
      String access = "credentialsId: 'aws-sentinel', region: '" + MotoServer.REGION + "', verbose: 2";
      String script = String.join("\n",
          "def img = ecrPush(" + access + ", repository: 'opensourceapirepo', image: '" + flow.source.host() + "/"
              + Flow.SOURCE_IMAGE + ":1.0', tag: ['v1'])",
          "def td = ecsRegisterTask(" + access + ", family: 'gantt-exporter-ecs-task', containerName: "
              + "'gantt-exporter-container', image: img.image, cpu: '1024', memory: '4096', port: ['80/tcp'], "
              // a container memory limit: moto's RunTask (ecsRunTask below) fails without one
              + "containerMemory: 4096, "
              + "secret: ['DB_PASSWORD=arn:aws:secretsmanager:us-east-2:123456789012:secret:db-AbCdEf'])",
          "def svc = ecsDeployService(" + access + ", cluster: 'gantt', service: 'gantt-exporter', taskDefinition: "
              + "td.taskDefinitionArn, desiredCount: 2, vpcId: '" + flow.vpc + "', subnets: ['" + flow.subnetA
              + "', '" + flow.subnetB + "'], createLoadBalancer: true, containerName: 'gantt-exporter-container', "
              + "containerPort: 80, autoscalingMin: 1, autoscalingMax: 4, cpuTarget: 60)",
          "def promoted = ecsForceRedeploy(" + access + ", cluster: 'gantt', service: 'gantt-exporter')",
          "def scaled = ecsScale(credentialsFileId: 'aws-file', profile: 'opensourceapi', region: '"
              + MotoServer.REGION + "', verbose: 2, cluster: 'gantt', service: 'gantt-exporter', desiredCount: 3)",
          "def ran = ecsRunTask(" + access + ", cluster: 'gantt', service: 'gantt-exporter', command: 'npm run "
              + "migrate', env: [MIGRATE_ONLY: '1'], wait: false)",
          "def failures = []",
          "try { ecsScale(" + access + ", cluster: 'gantt', service: 'gantt-exporter', desiredCount: 10) }"
              + " catch (e) { failures << e.message }",
          "try { ecrPush(" + access + ", repository: 'opensourceapirepo', image: '" + flow.source.host() + "/"
              + Flow.SOURCE_IMAGE + ":2.0', tag: ['v1']) } catch (e) { failures << e.message }",
          "try { ecsDeployService(credentialsFileId: 'aws-file', profile: 'opensourceapi', region: '"
              + MotoServer.REGION + "', verbose: 2, cluster: 'gantt', service: 'gantt-exporter', taskDefinition:"
              + " 'no-such-family') } catch (e) { failures << e.message }",
          "try { ecsRunTask(credentialsFileId: 'aws-file', profile: 'opensourceapi', region: '" + MotoServer.REGION
              + "', verbose: 2, cluster: 'gantt', service: 'gantt-exporter', container: 'web', command: 'migrate') }"
              + " catch (e) { failures << e.message }",
          "try { ecsRunTask(" + access + ", cluster: 'gantt', service: 'gantt-exporter', timeout: '2s') }"
              + " catch (e) { failures << e.message }",
          "return [img, td, svc, promoted, scaled, ran, failures]");
      Object result = h.run(script);
      List<?> results = (List<?>) result;
      List<?> failures = (List<?>) results.get(6);
      assertEquals(5, failures.size(), "five failures: " + failures);
      assertTrue(String.valueOf(failures.get(3)).startsWith("ecsRunTask failed: ")
          && String.valueOf(failures.get(3)).contains("has no container 'web'"), String.valueOf(failures));
      assertTrue(String.valueOf(failures.get(4)).contains("did not stop within 2s"), String.valueOf(failures));
      assertTrue(String.valueOf(((Map<?, ?>) results.get(5)).get("taskArn")).contains(":task/"),
          "ecsRunTask started a task: " + results.get(5));

      Map<String, String> texts = new LinkedHashMap<>();
      List<String> scripts = h.shScripts();
      assertTrue(scripts.size() >= 11, "the vars ran sh " + scripts.size() + " times");
      for (int i = 0; i < scripts.size(); i++) {
        texts.put("sh script " + i, scripts.get(i));
      }
      texts.put("build log", String.join("\n", h.log));
      List<String> args = new ArrayList<>();
      h.calls.forEach(c -> args.add(c.step() + " " + c.named() + " " + c.args()));
      texts.put("pipeline step arguments", String.join("\n", args));
      texts.put("returned maps", String.valueOf(result));
      for (Map.Entry<String, String> t : texts.entrySet()) {
        for (String sentinel : List.of(KEY_SECRET, FILE_SECRET)) {
          if (t.getValue().contains(sentinel)) {
            fail("a sentinel secret appears in the " + t.getKey() + ":\n" + t.getValue());
          }
        }
      }
      System.out.println("sh calls: " + scripts.size() + ", build log: " + String.join("\n", h.log).length()
          + " chars, failures: " + failures);
    }
  }
}
