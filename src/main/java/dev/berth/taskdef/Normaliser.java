package dev.berth.taskdef;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Brings a definition to a canonical form so that two definitions ECS would treat alike compare equal: the
 * defaults ECS fills in are made explicit or dropped (container cpu 0, essential true, protocol tcp, hostPort =
 * containerPort in awsvpc, EFS root directory "/", health-check interval 30 / timeout 5 / retries 3, bridge
 * network mode, restart policy off, versionConsistency enabled; tags AWS sets (aws:*) are ignored), sizes in units are converted ("1 vCPU" = "1024"), lists whose order ECS ignores are sorted
 * (containers, volumes, environment, secrets, port mappings, mount points, ulimits, tags, ...), and empty
 * lists, maps and objects are dropped.
 */
final class Normaliser {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Normaliser() {}

  static ObjectNode normalise(ObjectNode in) {
    ObjectNode d = in.deepCopy();
    if (d.has("cpu")) {
      Integer cpu = FargateSizes.parseCpu(d.get("cpu").asText());
      if (cpu != null) {
        d.put("cpu", String.valueOf(cpu));
      }
    }
    if (d.has("memory")) {
      Integer mem = FargateSizes.parseMemory(d.get("memory").asText());
      if (mem != null) {
        d.put("memory", String.valueOf(mem));
      }
    }
    String networkMode = d.path("networkMode").asText("bridge");
    if (networkMode.equals("bridge")) {
      d.remove("networkMode");
    }
    if (d.path("enableFaultInjection").isBoolean() && !d.get("enableFaultInjection").asBoolean()) {
      d.remove("enableFaultInjection");
    }
    sortStrings(d, "requiresCompatibilities");
    if (d.get("tags") instanceof ArrayNode tags) {
      // aws: tags are set by AWS (CloudFormation, ...) and cannot be registered
      for (int i = tags.size() - 1; i >= 0; i--) {
        if (tags.get(i).path("key").asText("").startsWith("aws:")) {
          tags.remove(i);
        }
      }
    }
    sortBy(d, "tags", "key");
    sortBy(d, "placementConstraints", "type", "expression");
    for (JsonNode v : d.path("volumes")) {
      JsonNode efs = v.path("efsVolumeConfiguration");
      if (efs instanceof ObjectNode e) {
        if ("/".equals(e.path("rootDirectory").asText(null))) {
          e.remove("rootDirectory");
        }
        if ("DISABLED".equals(e.path("transitEncryption").asText(null))) {
          e.remove("transitEncryption");
        }
        if (e.path("authorizationConfig") instanceof ObjectNode a && "DISABLED".equals(a.path("iam").asText(null))) {
          a.remove("iam");
        }
      }
    }
    sortBy(d, "volumes", "name");
    for (JsonNode c : d.path("containerDefinitions")) {
      if (c instanceof ObjectNode o) {
        container(o, networkMode);
      }
    }
    sortBy(d, "containerDefinitions", "name");
    return (ObjectNode) prune(d);
  }

  private static void container(ObjectNode c, String networkMode) {
    if (c.path("cpu").asInt(-1) == 0) {
      c.remove("cpu");
    }
    if (c.path("essential").asBoolean(false)) {
      c.remove("essential");
    }
    if (c.path("restartPolicy") instanceof ObjectNode rp && rp.size() == 1 && rp.path("enabled").isBoolean()
        && !rp.get("enabled").asBoolean()) {
      c.remove("restartPolicy");
    }
    if ("enabled".equals(c.path("versionConsistency").asText(null))) {
      c.remove("versionConsistency");
    }
    for (JsonNode p : c.path("portMappings")) {
      if (p instanceof ObjectNode pm) {
        if (!pm.has("protocol")) {
          pm.put("protocol", "tcp");
        }
        if (("awsvpc".equals(networkMode) || "host".equals(networkMode)) && !pm.has("hostPort")
            && pm.has("containerPort")) {
          pm.set("hostPort", pm.get("containerPort"));
        }
      }
    }
    sortBy(c, "portMappings", "containerPort", "protocol");
    for (JsonNode m : c.path("mountPoints")) {
      if (m instanceof ObjectNode mp && mp.path("readOnly").isBoolean() && !mp.get("readOnly").asBoolean()) {
        mp.remove("readOnly");
      }
    }
    sortBy(c, "mountPoints", "containerPath", "sourceVolume");
    for (JsonNode m : c.path("volumesFrom")) {
      if (m instanceof ObjectNode vf && vf.path("readOnly").isBoolean() && !vf.get("readOnly").asBoolean()) {
        vf.remove("readOnly");
      }
    }
    sortBy(c, "volumesFrom", "sourceContainer");
    sortBy(c, "environment", "name");
    sortBy(c, "secrets", "name");
    sortBy(c, "environmentFiles", "value");
    sortBy(c, "ulimits", "name");
    sortBy(c, "dependsOn", "containerName");
    sortBy(c, "extraHosts", "hostname");
    sortBy(c, "systemControls", "namespace");
    sortBy(c, "resourceRequirements", "type");
    if (c.path("logConfiguration").path("secretOptions") instanceof ArrayNode) {
      sortBy((ObjectNode) c.get("logConfiguration"), "secretOptions", "name");
    }
    if (c.path("healthCheck") instanceof ObjectNode hc) {
      if (!hc.has("interval")) {
        hc.put("interval", 30);
      }
      if (!hc.has("timeout")) {
        hc.put("timeout", 5);
      }
      if (!hc.has("retries")) {
        hc.put("retries", 3);
      }
      if (hc.path("startPeriod").asInt(-1) == 0) {
        hc.remove("startPeriod");
      }
    }
  }

  private static void sortStrings(ObjectNode o, String field) {
    if (o.get(field) instanceof ArrayNode a) {
      List<String> items = new ArrayList<>();
      a.forEach(n -> items.add(n.asText()));
      items.sort(Comparator.naturalOrder());
      ArrayNode sorted = NODES.arrayNode();
      items.forEach(sorted::add);
      o.set(field, sorted);
    }
  }

  private static void sortBy(ObjectNode o, String field, String... keys) {
    if (!(o.get(field) instanceof ArrayNode a)) {
      return;
    }
    List<JsonNode> items = new ArrayList<>();
    a.forEach(items::add);
    Comparator<JsonNode> cmp = null;
    for (String k : keys) {
      Comparator<JsonNode> c = Comparator.comparing((JsonNode n) -> n.path(k).isNumber() ? n.path(k).asLong() : 0L)
          .thenComparing(n -> n.path(k).asText(""));
      cmp = cmp == null ? c : cmp.thenComparing(c);
    }
    items.sort(cmp);
    ArrayNode sorted = NODES.arrayNode();
    items.forEach(sorted::add);
    o.set(field, sorted);
  }

  /** Drops nulls and empty lists, maps and objects, depth first; whole numbers become longs. */
  private static JsonNode prune(JsonNode n) {
    if (n instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode v = prune(e.getValue());
        if (v == null || v.isNull() || (v.isContainerNode() && v.isEmpty())) {
          it.remove();
        } else {
          e.setValue(v);
        }
      }
      return o;
    }
    if (n instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        a.set(i, prune(a.get(i)));
      }
      return a;
    }
    if (n != null && n.isIntegralNumber()) {
      return NODES.numberNode(n.asLong()); // 80 read as int and 80 read as long compare equal
    }
    return n;
  }
}
