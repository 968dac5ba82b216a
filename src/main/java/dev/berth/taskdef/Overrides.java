package dev.berth.taskdef;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters that build a task definition or override a file for one container (a "render" step): the
 * options of {@code berth ecs-register-task} with the same names. Task-level ones ({@code family, cpu, memory,
 * volumes, efsVolumes, executionRoleArn, taskRoleArn, cpuArchitecture}) change the task; the others change
 * the container {@code containerName} picks. {@code images} re-images any containers by name (used by
 * ecs-force-redeploy). Lists are merged into the file's: an entry with the same key (env name, secret name,
 * container port and protocol, mount container path, volume name) is replaced, others are added.
 * Durations are in seconds. {@code logs} false turns off the default awslogs configuration a Fargate container
 * without logging gets (group {@code /ecs/FAMILY}, stream prefix {@code ecs}); null or true keeps it.
 */
public record Overrides(
    String family,
    String containerName,
    String image,
    String cpu,
    String memory,
    Integer containerMemory,
    Integer containerMemoryReservation,
    List<String> ports,
    List<String> env,
    List<String> secrets,
    List<String> volumes,
    List<String> efsVolumes,
    List<String> mounts,
    String executionRoleArn,
    String taskRoleArn,
    String logGroup,
    String cpuArchitecture,
    String healthCheck,
    Integer healthCheckInterval,
    Integer healthCheckTimeout,
    Integer healthCheckRetries,
    Integer healthCheckStartPeriod,
    Map<String, String> images,
    Boolean logs) {

  public Overrides {
    ports = ports == null ? List.of() : List.copyOf(ports);
    env = env == null ? List.of() : List.copyOf(env);
    secrets = secrets == null ? List.of() : List.copyOf(secrets);
    volumes = volumes == null ? List.of() : List.copyOf(volumes);
    efsVolumes = efsVolumes == null ? List.of() : List.copyOf(efsVolumes);
    mounts = mounts == null ? List.of() : List.copyOf(mounts);
    images = images == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(images));
  }

  /**
   * Every parameter, with {@code env} and {@code secrets} as counts: their texts may hold secret values (or be one,
   * given without its name).
   */
  @Override
  public String toString() {
    return "Overrides[family=" + family + ", containerName=" + containerName + ", image=" + image + ", cpu=" + cpu
        + ", memory=" + memory + ", containerMemory=" + containerMemory + ", containerMemoryReservation="
        + containerMemoryReservation + ", ports=" + ports + ", env=" + env.size() + " (not shown), secrets="
        + secrets.size() + " (not shown), volumes=" + volumes + ", efsVolumes=" + efsVolumes + ", mounts=" + mounts
        + ", executionRoleArn=" + executionRoleArn + ", taskRoleArn=" + taskRoleArn + ", logGroup=" + logGroup
        + ", cpuArchitecture=" + cpuArchitecture + ", healthCheck=" + healthCheck + ", healthCheckInterval="
        + healthCheckInterval + ", healthCheckTimeout=" + healthCheckTimeout + ", healthCheckRetries="
        + healthCheckRetries + ", healthCheckStartPeriod=" + healthCheckStartPeriod + ", images=" + images
        + ", logs=" + logs + "]";
  }

  /** No parameters: the file as it is. */
  public static Overrides none() {
    return builder().build();
  }

  /** Only new images for named containers. */
  public static Overrides images(Map<String, String> containerToImage) {
    return builder().images(containerToImage).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** True when a parameter that changes one container is given (these need a container to be picked). */
  boolean hasContainerParameters() {
    return image != null || containerMemory != null || containerMemoryReservation != null || !ports.isEmpty()
        || !env.isEmpty() || !secrets.isEmpty() || !mounts.isEmpty() || logGroup != null || healthCheck != null
        || healthCheckInterval != null || healthCheckTimeout != null || healthCheckRetries != null
        || healthCheckStartPeriod != null;
  }

  /** The flags of the container parameters given, for messages. */
  List<String> containerFlags() {
    List<String> f = new java.util.ArrayList<>();
    if (image != null) f.add("--image");
    if (containerMemory != null) f.add("--container-memory");
    if (containerMemoryReservation != null) f.add("--container-memory-reservation");
    if (!ports.isEmpty()) f.add("--port");
    if (!env.isEmpty()) f.add("--env");
    if (!secrets.isEmpty()) f.add("--secret");
    if (!mounts.isEmpty()) f.add("--mount");
    if (logGroup != null) f.add("--log-group");
    if (healthCheck != null || healthCheckInterval != null || healthCheckTimeout != null
        || healthCheckRetries != null || healthCheckStartPeriod != null) {
      f.add("--health-check");
    }
    return f;
  }

  /** Builder, since most parameters are optional. */
  public static final class Builder {
    private String family;
    private String containerName;
    private String image;
    private String cpu;
    private String memory;
    private Integer containerMemory;
    private Integer containerMemoryReservation;
    private List<String> ports;
    private List<String> env;
    private List<String> secrets;
    private List<String> volumes;
    private List<String> efsVolumes;
    private List<String> mounts;
    private String executionRoleArn;
    private String taskRoleArn;
    private String logGroup;
    private String cpuArchitecture;
    private String healthCheck;
    private Integer healthCheckInterval;
    private Integer healthCheckTimeout;
    private Integer healthCheckRetries;
    private Integer healthCheckStartPeriod;
    private Map<String, String> images;
    private Boolean logs;

    public Builder family(String v) { family = v; return this; }
    public Builder containerName(String v) { containerName = v; return this; }
    public Builder image(String v) { image = v; return this; }
    public Builder cpu(String v) { cpu = v; return this; }
    public Builder memory(String v) { memory = v; return this; }
    public Builder containerMemory(Integer v) { containerMemory = v; return this; }
    public Builder containerMemoryReservation(Integer v) { containerMemoryReservation = v; return this; }
    public Builder ports(List<String> v) { ports = v; return this; }
    public Builder env(List<String> v) { env = v; return this; }
    public Builder secrets(List<String> v) { secrets = v; return this; }
    public Builder volumes(List<String> v) { volumes = v; return this; }
    public Builder efsVolumes(List<String> v) { efsVolumes = v; return this; }
    public Builder mounts(List<String> v) { mounts = v; return this; }
    public Builder executionRoleArn(String v) { executionRoleArn = v; return this; }
    public Builder taskRoleArn(String v) { taskRoleArn = v; return this; }
    public Builder logGroup(String v) { logGroup = v; return this; }
    public Builder cpuArchitecture(String v) { cpuArchitecture = v; return this; }
    public Builder healthCheck(String v) { healthCheck = v; return this; }
    public Builder healthCheckInterval(Integer v) { healthCheckInterval = v; return this; }
    public Builder healthCheckTimeout(Integer v) { healthCheckTimeout = v; return this; }
    public Builder healthCheckRetries(Integer v) { healthCheckRetries = v; return this; }
    public Builder healthCheckStartPeriod(Integer v) { healthCheckStartPeriod = v; return this; }
    public Builder images(Map<String, String> v) { images = v; return this; }
    public Builder logs(Boolean v) { logs = v; return this; }

    public Overrides build() {
      return new Overrides(family, containerName, image, cpu, memory, containerMemory, containerMemoryReservation,
          ports, env, secrets, volumes, efsVolumes, mounts, executionRoleArn, taskRoleArn, logGroup,
          cpuArchitecture, healthCheck, healthCheckInterval, healthCheckTimeout, healthCheckRetries,
          healthCheckStartPeriod, images, logs);
    }
  }
}
