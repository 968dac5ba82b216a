package dev.berth.taskdef;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.report.ImageReference;
import dev.berth.report.Violation;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks a (checked, rendered) definition against ECS's rules; every violation with its JSON path. */
final class Validator {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,255}");
  private static final Pattern SECRET_LIKE = Pattern.compile(
      "(?i).*(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL).*|(?i).*(^|_)KEY$");
  private static final Set<String> NETWORK_MODES = Set.of("bridge", "host", "awsvpc", "none");
  private static final Set<String> COMPATIBILITIES = Set.of("EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES");
  private static final Set<String> ARCHITECTURES = Set.of("X86_64", "ARM64");

  private Validator() {}

  static List<Violation> validate(JsonNode def) {
    List<Violation> out = new java.util.ArrayList<>();
    String family = def.path("family").asText(null);
    if (family == null || family.isBlank()) {
      out.add(Violation.error("family", "the family is required (--family or \"family\" in the file)"));
    } else if (!NAME.matcher(family).matches()) {
      out.add(Violation.error("family", "'" + family + "' is not a family name (up to 255 letters, digits,"
          + " '-' and '_')"));
    }

    boolean fargate = false;
    for (int i = 0; i < def.path("requiresCompatibilities").size(); i++) {
      String c = def.path("requiresCompatibilities").get(i).asText();
      if (!COMPATIBILITIES.contains(c)) {
        out.add(Violation.error("requiresCompatibilities[" + i + "]", "'" + c + "' is not one of "
            + String.join(", ", new java.util.TreeSet<>(COMPATIBILITIES))));
      }
      fargate |= c.equals("FARGATE");
    }
    String networkMode = def.path("networkMode").asText(null);
    if (networkMode != null && !NETWORK_MODES.contains(networkMode)) {
      out.add(Violation.error("networkMode", "'" + networkMode + "' is not one of awsvpc, bridge, host, none"));
    }
    if (fargate && networkMode != null && !networkMode.equals("awsvpc")) {
      out.add(Violation.error("networkMode", "Fargate tasks need networkMode awsvpc, not " + networkMode));
    }
    String arch = def.path("runtimePlatform").path("cpuArchitecture").asText(null);
    if (arch != null && !ARCHITECTURES.contains(arch)) {
      out.add(Violation.error("runtimePlatform.cpuArchitecture", "'" + arch + "' is not X86_64 or ARM64"));
    }

    // task size
    Integer cpu = null;
    Integer memory = null;
    if (def.has("cpu")) {
      cpu = FargateSizes.parseCpu(def.get("cpu").asText());
      if (cpu == null) {
        out.add(Violation.error("cpu", "'" + def.get("cpu").asText() + "' is not a CPU size (CPU units such as"
            + " 1024, or \"1 vCPU\")"));
      }
    }
    if (def.has("memory")) {
      memory = FargateSizes.parseMemory(def.get("memory").asText());
      if (memory == null) {
        out.add(Violation.error("memory", "'" + def.get("memory").asText() + "' is not a memory size (MiB such as"
            + " 2048, or \"2 GB\")"));
      }
    }
    if (fargate) {
      if (!def.has("cpu")) {
        out.add(Violation.error("cpu", "Fargate tasks need a task CPU size (--cpu, for example 1024)"));
      }
      if (!def.has("memory")) {
        out.add(Violation.error("memory", "Fargate tasks need a task memory size in MiB (--memory, for example"
            + " 4096)"));
      }
      if (cpu != null && !FargateSizes.isValidCpu(cpu)) {
        out.add(Violation.error("cpu", "Fargate has no CPU size " + cpu + " (valid: "
            + String.join(", ", FargateSizes.table().keySet().stream().map(String::valueOf).toList()) + ")"));
      } else if (cpu != null && memory != null && !FargateSizes.isValid(cpu, memory)) {
        List<Integer> cpus = FargateSizes.cpusFor(memory);
        out.add(Violation.error("memory", "Fargate has no task size cpu " + cpu + " with memory " + memory
            + ": with cpu " + cpu + " memory must be " + FargateSizes.describeMemoryFor(cpu)
            + (cpus.isEmpty() ? "" : "; memory " + memory + " goes with cpu "
                + String.join(" or ", cpus.stream().map(String::valueOf).toList()))));
      }
    }

    // volumes
    Set<String> volumes = new HashSet<>();
    JsonNode vols = def.path("volumes");
    for (int i = 0; i < vols.size(); i++) {
      JsonNode v = vols.get(i);
      String p = "volumes[" + i + "]";
      String name = v.path("name").asText(null);
      if (name == null || name.isBlank()) {
        out.add(Violation.error(p + ".name", "a volume needs a name"));
      } else if (!volumes.add(name)) {
        out.add(Violation.error(p + ".name", "volume " + name + " is defined twice"));
      }
      if (fargate && v.path("host").has("sourcePath")) {
        out.add(Violation.error(p + ".host.sourcePath", "Fargate does not support host paths; leave host.sourcePath"
            + " out for a bind volume on the task's storage"));
      }
      JsonNode efs = v.path("efsVolumeConfiguration");
      if (!efs.isMissingNode() && !efs.path("fileSystemId").asText("").matches("fs-[0-9a-zA-Z]+")) {
        out.add(Violation.error(p + ".efsVolumeConfiguration.fileSystemId", "an EFS file system id (fs-...) is"
            + " required"));
      }
      if ("ENABLED".equals(efs.path("authorizationConfig").path("iam").asText())
          && !"ENABLED".equals(efs.path("transitEncryption").asText())) {
        out.add(Violation.error(p + ".efsVolumeConfiguration.transitEncryption", "IAM authorization needs"
            + " transitEncryption ENABLED"));
      }
      // EFSAuthorizationConfig.iam (ECS API reference): "whether to use the Amazon ECS task role defined in a
      // task definition when mounting" -- with no task role the mount has no identity and the task cannot start
      if ("ENABLED".equals(efs.path("authorizationConfig").path("iam").asText())
          && def.path("taskRoleArn").asText("").isBlank()) {
        out.add(Violation.error(p + ".efsVolumeConfiguration.authorizationConfig.iam", "IAM authorization mounts"
            + " the file system with the task role, and the definition has none: give --task-role-arn (a role"
            + " allowed elasticfilesystem:ClientMount on " + efs.path("fileSystemId").asText("the file system")
            + ")"));
      }
    }

    // containers
    JsonNode containers = def.path("containerDefinitions");
    if (containers.size() == 0) {
      out.add(Violation.error("containerDefinitions", "at least one container is required (--image, or"
          + " \"containerDefinitions\" in the file)"));
    }
    Set<String> names = new HashSet<>();
    for (JsonNode c : containers) {
      names.add(c.path("name").asText(""));
    }
    Set<String> seen = new HashSet<>();
    boolean anyEssential = false;
    for (int i = 0; i < containers.size(); i++) {
      JsonNode c = containers.get(i);
      String p = "containerDefinitions[" + i + "]";
      String name = c.path("name").asText(null);
      if (name == null || name.isBlank()) {
        out.add(Violation.error(p + ".name", "a container needs a name (--container-name)"));
      } else if (!NAME.matcher(name).matches()) {
        out.add(Violation.error(p + ".name", "'" + name + "' is not a container name (up to 255 letters, digits,"
            + " '-' and '_')"));
      } else if (!seen.add(name)) {
        out.add(Violation.error(p + ".name", "container " + name + " is defined twice"));
      }
      anyEssential |= c.path("essential").asBoolean(true);
      String image = c.path("image").asText(null);
      if (image == null) {
        out.add(Violation.error(p + ".image", "a container needs an image (--image)"));
      } else {
        try {
          ImageReference ref = ImageReference.parse(image);
          if (!ref.pinned() && (ref.tag() == null || ref.tag().equals("latest"))) {
            out.add(Violation.warning(p + ".image", image + " is not pinned: the tag "
                + (ref.tag() == null ? "(latest by default) " : "") + "can move between revisions; use the"
                + " digest (repository@sha256:...) that ecr-push returns"));
          }
        } catch (ImageReference.InvalidReference e) {
          out.add(Violation.error(p + ".image", e.getMessage()));
        }
      }
      Integer cm = c.has("memory") ? c.get("memory").asInt() : null;
      Integer cr = c.has("memoryReservation") ? c.get("memoryReservation").asInt() : null;
      if (cm != null && cm < 6) {
        out.add(Violation.error(p + ".memory", "a container needs at least 6 MiB, not " + cm));
      }
      if (cr != null && cr < 6) {
        out.add(Violation.error(p + ".memoryReservation", "a container needs at least 6 MiB, not " + cr));
      }
      if (cm != null && cr != null && cr > cm) {
        out.add(Violation.error(p + ".memoryReservation", "the soft limit " + cr + " MiB is above the hard limit "
            + cm + " MiB (memory)"));
      }
      if (memory != null && cm != null && cm > memory) {
        out.add(Violation.error(p + ".memory", "the container's memory " + cm + " MiB is above the task memory "
            + memory + " MiB"));
      }
      if (memory != null && cr != null && cr > memory) {
        out.add(Violation.error(p + ".memoryReservation", "the container's memory reservation " + cr
            + " MiB is above the task memory " + memory + " MiB"));
      }
      if (!def.has("memory") && cm == null && cr == null) {
        out.add(Violation.error(p + ".memory", "without a task memory size a container needs memory or"
            + " memoryReservation (--container-memory)"));
      }
      if (c.has("cpu") && (c.get("cpu").asInt() < 0 || (cpu != null && c.get("cpu").asInt() > cpu))) {
        out.add(Violation.error(p + ".cpu", "container cpu " + c.get("cpu").asInt() + " must be between 0 and"
            + " the task cpu" + (cpu == null ? "" : " " + cpu)));
      }
      ports(c.path("portMappings"), p + ".portMappings", networkMode == null && fargate ? "awsvpc" : networkMode,
          out);
      JsonNode env = c.path("environment");
      for (int j = 0; j < env.size(); j++) {
        String n = env.get(j).path("name").asText(null);
        if (n == null || n.isBlank()) {
          out.add(Violation.error(p + ".environment[" + j + "].name", "an environment variable needs a name"));
        } else if (SECRET_LIKE.matcher(n).matches()) {
          out.add(Violation.warning(p + ".environment[" + j + "]", n + " looks like a secret but is plain text in"
              + " the task definition (anyone who can describe it can read it); pass it with --secret " + n
              + "=ARN (SSM parameter or Secrets Manager)"));
        }
      }
      JsonNode secrets = c.path("secrets");
      for (int j = 0; j < secrets.size(); j++) {
        if (secrets.get(j).path("name").asText("").isBlank()) {
          out.add(Violation.error(p + ".secrets[" + j + "].name", "a secret needs a name"));
        }
        if (secrets.get(j).path("valueFrom").asText("").isBlank()) {
          out.add(Violation.error(p + ".secrets[" + j + "].valueFrom", "a secret needs valueFrom (an SSM parameter"
              + " or Secrets Manager ARN)"));
        }
      }
      JsonNode mounts = c.path("mountPoints");
      for (int j = 0; j < mounts.size(); j++) {
        JsonNode m = mounts.get(j);
        String mp = p + ".mountPoints[" + j + "]";
        String src = m.path("sourceVolume").asText(null);
        if (src == null || !volumes.contains(src)) {
          out.add(Violation.error(mp + ".sourceVolume", (src == null ? "a mount point needs a sourceVolume"
              : "no volume named " + src) + " (volumes: " + (volumes.isEmpty() ? "none; add one with --volume "
              + (src == null ? "NAME" : src) : String.join(", ", new java.util.TreeSet<>(volumes))) + ")"));
        }
        String path = m.path("containerPath").asText(null);
        if (path == null || !path.startsWith("/")) {
          out.add(Violation.error(mp + ".containerPath", "a mount point needs an absolute containerPath"));
        }
      }
      JsonNode from = c.path("volumesFrom");
      for (int j = 0; j < from.size(); j++) {
        String src = from.get(j).path("sourceContainer").asText(null);
        if (src == null || !names.contains(src)) {
          out.add(Violation.error(p + ".volumesFrom[" + j + "].sourceContainer", "no container named " + src));
        }
      }
      JsonNode deps = c.path("dependsOn");
      for (int j = 0; j < deps.size(); j++) {
        String dep = deps.get(j).path("containerName").asText(null);
        if (dep == null || !names.contains(dep)) {
          out.add(Violation.error(p + ".dependsOn[" + j + "].containerName", "no container named " + dep));
        }
      }
      healthCheck(c.path("healthCheck"), p + ".healthCheck", out);
      JsonNode log = c.path("logConfiguration");
      if ("awslogs".equals(log.path("logDriver").asText())) {
        for (String opt : fargate ? List.of("awslogs-group", "awslogs-region", "awslogs-stream-prefix")
            : List.of("awslogs-group", "awslogs-region")) {
          if (log.path("options").path(opt).asText("").isBlank()) {
            out.add(Violation.error(p + ".logConfiguration.options", "the awslogs driver needs the option " + opt));
          }
        }
      }
    }
    if (containers.size() > 0 && !anyEssential) {
      out.add(Violation.error("containerDefinitions", "at least one container must be essential"));
    }
    return out;
  }

  private static void ports(JsonNode mappings, String path, String networkMode, List<Violation> out) {
    Set<String> seen = new HashSet<>();
    for (int j = 0; j < mappings.size(); j++) {
      JsonNode m = mappings.get(j);
      String p = path + "[" + j + "]";
      boolean range = m.has("containerPortRange");
      if (!m.has("containerPort") && !range) {
        out.add(Violation.error(p + ".containerPort", "a port mapping needs a containerPort"));
      }
      long cp = m.path("containerPort").asLong(-1);
      if (m.has("containerPort") && (cp < 1 || cp > 65535)) {
        out.add(Violation.error(p + ".containerPort", "port " + m.get("containerPort").asText()
            + " is outside 1-65535"));
      }
      if (m.has("hostPort")) {
        long hp = m.get("hostPort").asLong();
        boolean dynamic = hp == 0 && !"awsvpc".equals(networkMode) && !"host".equals(networkMode);
        if (!dynamic && (hp < 1 || hp > 65535)) {
          out.add(Violation.error(p + ".hostPort", "port " + hp + " is outside 1-65535"));
        } else if ("awsvpc".equals(networkMode) && m.has("containerPort") && hp != cp) {
          out.add(Violation.error(p + ".hostPort", "in awsvpc network mode hostPort must equal containerPort ("
              + cp + ") or be left out"));
        }
      }
      String protocol = m.path("protocol").asText("tcp");
      if (!protocol.equals("tcp") && !protocol.equals("udp")) {
        out.add(Violation.error(p + ".protocol", "'" + protocol + "' is not tcp or udp"));
      }
      if (m.has("containerPort") && !seen.add(cp + "/" + protocol)) {
        out.add(Violation.error(p, "port " + cp + "/" + protocol + " is mapped twice"));
      }
    }
  }

  private static void healthCheck(JsonNode hc, String p, List<Violation> out) {
    if (hc.isMissingNode()) {
      return;
    }
    JsonNode cmd = hc.path("command");
    if (cmd.size() == 0) {
      out.add(Violation.error(p + ".command", "a health check needs a command"));
    } else {
      String head = cmd.get(0).asText();
      if (!head.equals("CMD") && !head.equals("CMD-SHELL") && !head.equals("NONE")) {
        out.add(Violation.error(p + ".command[0]", "the command must start with CMD, CMD-SHELL or NONE, not '"
            + head + "'"));
      } else if (!head.equals("NONE") && cmd.size() < 2) {
        out.add(Violation.error(p + ".command", head + " needs the command to run after it"));
      }
    }
    range(hc, "interval", 5, 300, p, out);
    range(hc, "timeout", 2, 60, p, out);
    range(hc, "retries", 1, 10, p, out);
    range(hc, "startPeriod", 0, 300, p, out);
  }

  private static void range(JsonNode hc, String name, int min, int max, String p, List<Violation> out) {
    if (hc.has(name)) {
      int v = hc.get(name).asInt();
      if (v < min || v > max) {
        out.add(Violation.error(p + "." + name, name + " " + v + " is outside " + min + "-" + max
            + (name.equals("retries") ? "" : " seconds")));
      }
    }
  }

  static boolean looksSecret(String name) {
    return SECRET_LIKE.matcher(name.toUpperCase(Locale.ROOT)).matches();
  }
}
