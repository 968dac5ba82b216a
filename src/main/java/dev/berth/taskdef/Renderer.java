package dev.berth.taskdef;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.report.Json;
import dev.berth.report.NameValues;
import dev.berth.report.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Applies {@link Overrides} to a definition (a copy): the render step. */
final class Renderer {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern PORT = Pattern.compile("(\\d{1,9})(?:/([A-Za-z]+))?");
  private static final Pattern EFS = Pattern.compile("([^=]+)=(fs-[0-9a-zA-Z]+)(?::(fsap-[0-9a-zA-Z]+))?");

  private Renderer() {}

  static ObjectNode render(ObjectNode base, Overrides o, String region, boolean fargateDefaults,
      List<Violation> out) {
    ObjectNode def = base == null ? NODES.objectNode() : base.deepCopy();
    if (def.get("tags") instanceof ArrayNode tags) {
      // tags AWS sets (aws:cloudformation:*, ...) come back from describe-task-definition but cannot be registered
      for (int i = tags.size() - 1; i >= 0; i--) {
        if (tags.get(i).path("key").asText("").startsWith("aws:")) {
          tags.remove(i);
        }
      }
      if (tags.isEmpty()) {
        def.remove("tags");
      }
    }
    if (o.family() != null) {
      def.put("family", o.family());
    }
    if (o.cpu() != null) {
      def.put("cpu", o.cpu());
    }
    if (o.memory() != null) {
      def.put("memory", o.memory());
    }
    if (o.executionRoleArn() != null) {
      def.put("executionRoleArn", o.executionRoleArn());
    }
    if (o.taskRoleArn() != null) {
      def.put("taskRoleArn", o.taskRoleArn());
    }
    if (o.cpuArchitecture() != null) {
      ObjectNode rp = def.has("runtimePlatform") && def.get("runtimePlatform").isObject()
          ? (ObjectNode) def.get("runtimePlatform") : def.putObject("runtimePlatform");
      rp.put("cpuArchitecture", o.cpuArchitecture().toUpperCase(Locale.ROOT));
    }
    for (String v : o.volumes()) {
      if (v.isBlank()) {
        out.add(Violation.error("--volume", "a volume needs a name"));
        continue;
      }
      ObjectNode vol = NODES.objectNode().put("name", v.trim());
      upsert(array(def, "volumes"), vol, n -> v.trim().equals(n.path("name").asText()));
    }
    for (String v : o.efsVolumes()) {
      Matcher m = EFS.matcher(v.trim());
      if (!m.matches()) {
        out.add(Violation.error("--efs-volume " + v, "expected NAME=FS_ID[:ACCESS_POINT_ID], for example"
            + " data=fs-0123456789abcdef0:fsap-0123456789abcdef0"));
        continue;
      }
      ObjectNode vol = NODES.objectNode().put("name", m.group(1).trim());
      ObjectNode efs = vol.putObject("efsVolumeConfiguration");
      efs.put("fileSystemId", m.group(2));
      efs.put("transitEncryption", "ENABLED");
      ObjectNode auth = efs.putObject("authorizationConfig");
      if (m.group(3) != null) {
        auth.put("accessPointId", m.group(3));
      }
      auth.put("iam", "ENABLED");
      upsert(array(def, "volumes"), vol, n -> m.group(1).trim().equals(n.path("name").asText()));
    }

    ArrayNode containers = array(def, "containerDefinitions");
    ObjectNode target = pickContainer(containers, base != null && base.has("containerDefinitions"), o, def, out);
    if (target != null) {
      applyContainer(target, o, def, region, out);
    }
    for (Map.Entry<String, String> e : o.images().entrySet()) {
      ObjectNode c = find(containers, e.getKey());
      if (c == null) {
        out.add(Violation.error("images." + e.getKey(), "no container named " + e.getKey() + " (containers: "
            + names(containers) + ")"));
      } else {
        c.put("image", e.getValue());
      }
    }
    if (fargateDefaults) {
      if (!def.has("requiresCompatibilities")) {
        def.putArray("requiresCompatibilities").add("FARGATE");
      }
      boolean fargate = false;
      for (JsonNode c : def.path("requiresCompatibilities")) {
        fargate |= "FARGATE".equals(c.asText());
      }
      if (fargate && !def.has("networkMode")) {
        def.put("networkMode", "awsvpc");
      }
      if (fargate && !Boolean.FALSE.equals(o.logs())) {
        defaultLogs(def, containers, region);
      }
    }
    return def;
  }

  /**
   * What the console's "Auto-configure CloudWatch Logs" does: every container without a logConfiguration sends
   * its output to the awslogs driver, group {@code /ecs/FAMILY}, stream prefix {@code ecs} (ECS developer guide,
   * "Send Amazon ECS logs to CloudWatch"; the default group name is the console's). A failing rollout is
   * unreadable without it.
   */
  private static void defaultLogs(ObjectNode def, ArrayNode containers, String region) {
    String family = def.path("family").asText(null);
    if (family == null || family.isBlank() || region == null) {
      return;
    }
    for (JsonNode c : containers) {
      if (c instanceof ObjectNode container && !container.has("logConfiguration")) {
        ObjectNode lc = container.putObject("logConfiguration").put("logDriver", "awslogs");
        lc.putObject("options").put("awslogs-group", defaultLogGroup(family)).put("awslogs-region", region)
            .put("awslogs-stream-prefix", "ecs");
      }
    }
  }

  /** {@code /ecs/FAMILY}, the console's default log group of a task definition family. */
  static String defaultLogGroup(String family) {
    return "/ecs/" + family;
  }

  private static ObjectNode pickContainer(ArrayNode containers, boolean fromFile, Overrides o, ObjectNode def,
      List<Violation> out) {
    if (o.containerName() != null) {
      ObjectNode c = find(containers, o.containerName());
      if (c != null) {
        return c;
      }
      if (containers.isEmpty()) {
        ObjectNode n = containers.addObject();
        n.put("name", o.containerName());
        return n;
      }
      out.add(Violation.error("--container-name", "no container named " + o.containerName() + " in the definition"
          + " (containers: " + names(containers) + ")"));
      return null;
    }
    if (!o.hasContainerParameters()) {
      return null;
    }
    if (containers.size() == 1) {
      return (ObjectNode) containers.get(0);
    }
    if (containers.isEmpty()) {
      ObjectNode n = containers.addObject();
      String family = def.path("family").asText(null);
      if (family != null) {
        n.put("name", family);
      }
      return n;
    }
    out.add(Violation.error("--container-name", "the definition has " + containers.size() + " containers ("
        + names(containers) + "); name the one that " + String.join(", ", o.containerFlags())
        + " change with --container-name"));
    return null;
  }

  private static void applyContainer(ObjectNode c, Overrides o, ObjectNode def, String region,
      List<Violation> out) {
    if (o.image() != null) {
      c.put("image", o.image());
    }
    if (o.containerMemory() != null) {
      c.put("memory", o.containerMemory());
    }
    if (o.containerMemoryReservation() != null) {
      c.put("memoryReservation", o.containerMemoryReservation());
    }
    for (String p : o.ports()) {
      Matcher m = PORT.matcher(p.trim());
      if (!m.matches()) {
        out.add(Violation.error("--port " + p, "expected PORT[/tcp|udp], for example 80 or 8125/udp"));
        continue;
      }
      long port = Long.parseLong(m.group(1));
      String protocol = m.group(2) == null ? "tcp" : m.group(2).toLowerCase(Locale.ROOT);
      if (!protocol.equals("tcp") && !protocol.equals("udp")) {
        out.add(Violation.error("--port " + p, "protocol must be tcp or udp, not " + m.group(2)));
        continue;
      }
      ObjectNode pm = NODES.objectNode().put("containerPort", port).put("protocol", protocol);
      ArrayNode mappings = array(c, "portMappings");
      boolean present = false;
      for (JsonNode n : mappings) {
        present |= n.path("containerPort").asLong() == port && protocol.equals(n.path("protocol").asText("tcp"));
      }
      if (!present) {
        mappings.add(pm);
      }
    }
    NameValues.Parsed env = NameValues.parse(NameValues.ENV, o.env());
    out.addAll(env.violations());
    for (NameValues.Pair e : env.pairs()) {
      ObjectNode kv = NODES.objectNode().put("name", e.name()).put("value", e.value());
      upsert(array(c, "environment"), kv, n -> e.name().equals(n.path("name").asText()));
    }
    NameValues.Parsed secrets = NameValues.parse(NameValues.SECRET, o.secrets());
    out.addAll(secrets.violations());
    for (NameValues.Pair s : secrets.pairs()) {
      ObjectNode kv = NODES.objectNode().put("name", s.name()).put("valueFrom", s.value());
      upsert(array(c, "secrets"), kv, n -> s.name().equals(n.path("name").asText()));
    }
    for (String m : o.mounts()) {
      String[] parts = m.split(":", -1);
      if (parts.length < 2 || parts.length > 3 || parts[0].isBlank() || parts[1].isBlank()
          || (parts.length == 3 && !parts[2].equals("ro") && !parts[2].equals("rw"))) {
        out.add(Violation.error("--mount " + m, "expected VOLUME:/container/path[:ro]"));
        continue;
      }
      ObjectNode mp = NODES.objectNode().put("sourceVolume", parts[0]).put("containerPath", parts[1]);
      if (parts.length == 3 && parts[2].equals("ro")) {
        mp.put("readOnly", true);
      }
      upsert(array(c, "mountPoints"), mp, n -> parts[1].equals(n.path("containerPath").asText()));
    }
    if (o.logGroup() != null) {
      ObjectNode lc = NODES.objectNode().put("logDriver", "awslogs");
      ObjectNode opts = lc.putObject("options");
      opts.put("awslogs-group", o.logGroup());
      if (region != null) {
        opts.put("awslogs-region", region);
      }
      opts.put("awslogs-stream-prefix", "ecs");
      c.set("logConfiguration", lc);
    }
    boolean hcTiming = o.healthCheckInterval() != null || o.healthCheckTimeout() != null
        || o.healthCheckRetries() != null || o.healthCheckStartPeriod() != null;
    if (o.healthCheck() != null || hcTiming) {
      ObjectNode hc = c.has("healthCheck") && c.get("healthCheck").isObject() ? (ObjectNode) c.get("healthCheck")
          : NODES.objectNode();
      if (o.healthCheck() != null) {
        ArrayNode cmd = healthCommand(o.healthCheck(), out);
        if (cmd != null) {
          hc.set("command", cmd);
        }
      } else if (!hc.has("command")) {
        out.add(Violation.error("--health-check", "--health-check-interval/-timeout/-retries/-start-period need a"
            + " health check command (--health-check CMD)"));
      }
      if (o.healthCheckInterval() != null) {
        hc.put("interval", o.healthCheckInterval());
      }
      if (o.healthCheckTimeout() != null) {
        hc.put("timeout", o.healthCheckTimeout());
      }
      if (o.healthCheckRetries() != null) {
        hc.put("retries", o.healthCheckRetries());
      }
      if (o.healthCheckStartPeriod() != null) {
        hc.put("startPeriod", o.healthCheckStartPeriod());
      }
      c.set("healthCheck", hc);
    }
  }

  /** "curl -f http://localhost/ || exit 1" -> ["CMD-SHELL", ...]; a JSON array is taken as the command itself. */
  static ArrayNode healthCommand(String cmd, List<Violation> out) {
    String t = cmd.trim();
    if (t.startsWith("[")) {
      try {
        JsonNode n = Json.readDocument(t);
        if (n.isArray() && n.size() > 0) {
          ArrayNode a = NODES.arrayNode();
          for (JsonNode e : n) {
            a.add(e.asText());
          }
          return a;
        }
      } catch (Json.InvalidJson e) {
        // fall through to the message below
      }
      out.add(Violation.error("--health-check", "a command given as JSON must be a non-empty list of strings"));
      return null;
    }
    if (t.isEmpty()) {
      out.add(Violation.error("--health-check", "the health check command is empty"));
      return null;
    }
    ArrayNode a = NODES.arrayNode();
    if (t.startsWith("CMD-SHELL ")) {
      a.add("CMD-SHELL").add(t.substring("CMD-SHELL ".length()).trim());
    } else if (t.equals("NONE")) {
      a.add("NONE");
    } else {
      a.add("CMD-SHELL").add(t);
    }
    return a;
  }

  static ArrayNode array(ObjectNode o, String name) {
    JsonNode n = o.get(name);
    if (n instanceof ArrayNode a) {
      return a;
    }
    return o.putArray(name);
  }

  static ObjectNode find(ArrayNode containers, String name) {
    for (JsonNode c : containers) {
      if (c.isObject() && name.equals(c.path("name").asText(null))) {
        return (ObjectNode) c;
      }
    }
    return null;
  }

  static String names(ArrayNode containers) {
    List<String> n = new ArrayList<>();
    for (JsonNode c : containers) {
      n.add(c.path("name").asText("?"));
    }
    return n.isEmpty() ? "none" : String.join(", ", n);
  }

  private static void upsert(ArrayNode list, ObjectNode item, Predicate<JsonNode> same) {
    for (int i = 0; i < list.size(); i++) {
      if (same.test(list.get(i))) {
        list.set(i, item);
        return;
      }
    }
    list.add(item);
  }
}
