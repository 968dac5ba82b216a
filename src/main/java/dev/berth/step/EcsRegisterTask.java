package dev.berth.step;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.aws.AwsClients;
import dev.berth.aws.AwsErrors;
import dev.berth.report.Change;
import dev.berth.report.InvalidInputException;
import dev.berth.report.Json;
import dev.berth.report.Progress;
import dev.berth.report.Violation;
import dev.berth.taskdef.Overrides;
import dev.berth.taskdef.TaskDefinitions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceAlreadyExistsException;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.DescribeTaskDefinitionResponse;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionResponse;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.SortOrder;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionField;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;

/**
 * {@code ecsRegisterTask}: registers a task definition from a file and/or parameters, validated before any
 * call, and registers a new revision only when something changed.
 *
 * <p>The request is compared with the latest ACTIVE revision of the family after both are normalised
 * ({@link TaskDefinitions#normalise}); when they are equal that revision is returned with {@code registered =
 * false} and no mutating call is made. With {@code keepRevisions} older ACTIVE revisions beyond the newest N are
 * deregistered, never one that a service (or one of its deployments) still uses.
 *
 * <h2>Use from other steps (stable API)</h2>
 * To register-or-reuse an in-memory task definition with new images (what {@code ecs-force-redeploy --image
 * CONTAINER=REF} does):
 * <pre>{@code
 * DescribeTaskDefinitionResponse d = aws.ecs().describeTaskDefinition(r -> r.taskDefinition(arn)
 *     .include(TaskDefinitionField.TAGS));
 * EcsRegisterTask.Result r = new EcsRegisterTask(aws, progress).run(
 *     EcsRegisterTask.Request.fromTaskDefinition(d.taskDefinition(), d.tags(), Map.of("web", "repo@sha256:...")));
 * r.taskDefinitionArn();   // the new revision, or the existing one when nothing changed (r.registered() false)
 * }</pre>
 * {@link Request#fromDescribeJson} does the same from describe-task-definition output text. A container
 * named in the images map that the definition lacks is an {@link InvalidInputException} (exit 3), thrown before
 * any mutating call. Other failures are {@code BerthException}s (AWS errors translated by {@link AwsErrors}).
 */
public final class EcsRegisterTask {
  private final AwsClients aws;
  private final Progress progress;

  public EcsRegisterTask(AwsClients aws, Progress progress) {
    this.aws = aws;
    this.progress = progress;
  }

  /**
   * What to register. {@code definitionJson} (nullable) is a file's text in either accepted shape,
   * {@code source} names it in messages; {@code overrides} are the parameters; {@code fargateDefaults} adds
   * requiresCompatibilities FARGATE and networkMode awsvpc when the definition names no compatibility;
   * {@code keepRevisions} (nullable) keeps only the newest N ACTIVE revisions; {@code createRoles} false makes
   * a missing {@code ecsTaskExecutionRole} an error (exit 3) instead of being created.
   */
  public record Request(String definitionJson, String source, Overrides overrides, boolean fargateDefaults,
      Integer keepRevisions, boolean dryRun, boolean createRoles) {
    public Request {
      overrides = overrides == null ? Overrides.none() : overrides;
      source = source == null ? "task definition" : source;
    }

    /** A real run (not a dry run) that may create the execution role. */
    public Request(String definitionJson, String source, Overrides overrides, boolean fargateDefaults,
        Integer keepRevisions) {
      this(definitionJson, source, overrides, fargateDefaults, keepRevisions, false, true);
    }

    /** From parameters alone. */
    public static Request fromParameters(Overrides overrides) {
      return new Request(null, "parameters", overrides, true, null);
    }

    /** From a file's text (register or describe shape), with parameters overriding it. */
    public static Request fromFile(String json, String source, Overrides overrides) {
      return new Request(json, source, overrides, true, null);
    }

    /**
     * From an SDK task definition (DescribeTaskDefinition's, with its tags or null) with new images for some
     * containers (container name to image reference). The definition is taken as it is: no Fargate defaults
     * are added.
     */
    public static Request fromTaskDefinition(TaskDefinition definition, List<Tag> tags,
        Map<String, String> images) {
      ObjectNode json = TaskDefinitions.fromSdk(definition, tags);
      String source = definition.family() == null ? "task definition"
          : definition.family() + (definition.revision() == null ? "" : ":" + definition.revision());
      return new Request(Json.write(json), source, Overrides.images(images), false, null);
    }

    /** From describe-task-definition output (or a register-shape file) with new images for some containers. */
    public static Request fromDescribeJson(String json, Map<String, String> images) {
      return new Request(json, "task definition", Overrides.images(images), false, null);
    }

    public Request withKeepRevisions(Integer n) {
      return new Request(definitionJson, source, overrides, fargateDefaults, n, dryRun, createRoles);
    }

    /** With {@code dryRun}: only read calls; the result lists what a real run would change. */
    public Request withDryRun(boolean dry) {
      return new Request(definitionJson, source, overrides, fargateDefaults, keepRevisions, dry, createRoles);
    }

    /** With false, a missing {@code ecsTaskExecutionRole} is an error (exit 3) instead of being created. */
    public Request withCreateRoles(boolean create) {
      return new Request(definitionJson, source, overrides, fargateDefaults, keepRevisions, dryRun, create);
    }
  }

  /**
   * What happened. {@code registered} is false when an identical revision was reused. {@code containers} maps
   * container names to images. {@code warnings} (null when none) are the validation warnings;
   * {@code deregistered} and {@code keptInUse} (null unless keepRevisions was given) list revisions as
   * family:revision. {@code changes} lists what the run changed (the new revision with its differences from the
   * latest one, a log group, deregistered revisions); with {@code dryRun} (true, else absent) what it would
   * change, and then nothing is registered: {@code taskDefinitionArn} and {@code revision} are the reused
   * revision's, or null when a new revision would be registered, and {@code deregistered} lists what would be.
   * {@code executionRoleArn} is the definition's execution role (null when it has none);
   * {@code executionRoleCreated} is true when berth created {@code ecsTaskExecutionRole} in this run, false
   * when it found it (null when the definition named its role, needs none, or in a dry run);
   * {@code logGroupsCreated} (null when none) lists the awslogs groups this run created.
   */
  public record Result(String taskDefinitionArn, String family, Integer revision, boolean registered,
      Map<String, String> containers, List<String> warnings, List<String> deregistered, List<String> keptInUse,
      Boolean dryRun, List<Change> changes, String executionRoleArn, Boolean executionRoleCreated,
      List<String> logGroupsCreated) {}

  /** The name a revision to be registered has in a plan, before ECS gives it a number. */
  static String newRevision(String family) {
    return family + ":(new revision)";
  }

  /** The definition the request renders to, valid, and its warnings. Pure: no AWS call. */
  public record Plan(ObjectNode definition, List<Violation> warnings) {
    public String family() {
      return definition.path("family").asText();
    }
  }

  /** Parses, renders and validates; throws {@link InvalidInputException} with every error. No AWS call. */
  public static Plan plan(Request request, String region) {
    List<Violation> all = new ArrayList<>();
    ObjectNode base = null;
    if (request.definitionJson() != null) {
      TaskDefinitions.Parsed parsed = TaskDefinitions.parse(request.definitionJson(), request.source());
      all.addAll(parsed.violations());
      base = parsed.definition();
      if (base == null) {
        throw new InvalidInputException(all);
      }
    }
    ObjectNode def = TaskDefinitions.render(base, request.overrides(), region, request.fargateDefaults(), all);
    all.addAll(TaskDefinitions.validate(def));
    if (request.keepRevisions() != null && request.keepRevisions() < 1) {
      all.add(Violation.error("--keep-revisions", "must be at least 1 (the revision just registered or reused),"
          + " not " + request.keepRevisions()));
    }
    InvalidInputException.throwIfAny(all);
    return new Plan(def, all.stream().filter(Violation::warning).toList());
  }

  public Result run(Request request) {
    Plan plan = plan(request, aws.region().id());
    for (Violation w : plan.warnings()) {
      progress.warn(w.toString());
    }
    ObjectNode def = plan.definition();
    String family = plan.family();
    boolean dry = request.dryRun();

    // observe (read-only: a definition AWS would refuse leaves nothing behind), then the changes: the execution
    // role, log groups, a new revision (with its differences from the latest), prunes
    DescribeTaskDefinitionResponse latest = latestActive(family);
    dev.berth.report.Plan.Builder changes = dev.berth.report.Plan.builder();
    List<String> roleReasons = request.fargateDefaults() ? TaskDefinitions.executionRoleReasons(def) : List.of();
    ExecutionRole.Found role = null;
    Boolean roleCreated = null;
    List<String> missingGroups = new ArrayList<>();
    boolean reuse;
    if (!roleReasons.isEmpty() && reusesLatestRole(def, latest)) {
      // the latest revision runs with ecsTaskExecutionRole and is otherwise the same: nothing to look up
      reuse = true;
      roleCreated = false;
    } else {
      reuse = latestIsSame(def, latest);
      if (!reuse) {
        if (!roleReasons.isEmpty()) {
          role = ExecutionRole.find(aws);
          if (!role.exists() && !request.createRoles()) {
            throw ExecutionRole.refusal(roleReasons);
          }
          if (role.exists()) {
            def.put("executionRoleArn", role.arn());
          } else {
            changes.add(Change.create("iam:role", ExecutionRole.NAME, List.of()));
          }
        }
        // a definition taken from ECS (force-redeploy) already ran with its groups: only the register step makes
        // them
        if (request.fargateDefaults()) {
          for (String g : TaskDefinitions.logGroups(def, aws.region().id())) {
            if (!logGroupExists(g)) {
              missingGroups.add(g);
              changes.add(Change.create("logs:log-group", g, List.of()));
            }
          }
        }
      }
    }
    ObjectNode latestJson = latest == null ? null : TaskDefinitions.fromSdk(latest.taskDefinition(), latest.tags());
    if (!reuse) {
      changes.add(Change.create("ecs:task-definition", newRevision(family), dev.berth.report.Plan.diff(
          latestJson == null ? null : TaskDefinitions.normalise(latestJson), TaskDefinitions.normalise(def))));
    }

    List<String> groupsCreated = new ArrayList<>();
    if (!dry) {
      if (role != null) {
        roleCreated = !role.exists();
        def.put("executionRoleArn", ExecutionRole.create(aws, role, progress));
        if (!roleCreated) {
          progress.info("using IAM role " + ExecutionRole.NAME + " as the task execution role ("
              + String.join("; ", roleReasons) + ")");
        }
      }
      for (String g : missingGroups) {
        if (createLogGroup(g)) {
          groupsCreated.add(g);
        }
      }
    }
    RegisterTaskDefinitionRequest register = TaskDefinitions.toRequest(def);
    TaskDefinition td = null;
    boolean registered = false;
    if (reuse) {
      td = latest.taskDefinition();
      progress.info("task definition " + family + ":" + td.revision() + " is unchanged; reusing it");
    } else {
      if (latest != null) {
        List<String> diff = TaskDefinitions.differences(latestJson, def);
        progress.info(family + ":" + latest.taskDefinition().revision() + " differs in "
            + String.join(", ", diff.size() > 8 ? diff.subList(0, 8) : diff) + (diff.size() > 8 ? ", ..." : ""));
      }
      if (!dry) {
        try {
          RegisterTaskDefinitionResponse r = aws.ecs().registerTaskDefinition(register);
          td = r.taskDefinition();
        } catch (SdkException e) {
          throw AwsErrors.translate("ECS RegisterTaskDefinition for " + family, e);
        }
        registered = true;
        progress.info("registered task definition " + family + ":" + td.revision());
      }
    }

    List<String> deregistered = null;
    List<String> keptInUse = null;
    if (request.keepRevisions() != null) {
      deregistered = new ArrayList<>();
      keptInUse = new ArrayList<>();
      // in a dry run the revision to be registered counts among the newest N, as it would
      Integer current = td != null ? td.revision() : null;
      prune(family, request.keepRevisions(), current, dry, deregistered, keptInUse, changes);
    }
    Map<String, String> containers = new LinkedHashMap<>();
    if (td != null) {
      td.containerDefinitions().forEach(c -> containers.put(c.name(), c.image()));
    } else {
      containers.putAll(TaskDefinitions.containers(def));
    }
    List<String> warnings = plan.warnings().isEmpty() ? null
        : plan.warnings().stream().map(Violation::toString).toList();
    List<Change> planned = changes.build().changes();
    if (registered) {
      // the plan named the revision before ECS numbered it
      String name = family + ":" + td.revision();
      planned = planned.stream().map(c -> c.name().equals(newRevision(family))
          ? new Change(c.resource(), name, c.action(), c.fields()) : c).toList();
    }
    String roleArn = td != null ? td.executionRoleArn() : def.path("executionRoleArn").asText(null);
    return new Result(td == null ? null : td.taskDefinitionArn(), family, td == null ? null : td.revision(),
        registered, containers, warnings, deregistered, keptInUse, dry ? Boolean.TRUE : null, planned, roleArn,
        dry ? null : roleCreated, groupsCreated.isEmpty() ? null : groupsCreated);
  }

  /** The latest ACTIVE revision of the family with its tags, or null when the family has none. */
  private DescribeTaskDefinitionResponse latestActive(String family) {
    try {
      DescribeTaskDefinitionResponse r = aws.ecs().describeTaskDefinition(b -> b.taskDefinition(family)
          .include(TaskDefinitionField.TAGS));
      if (r.taskDefinition() == null || r.taskDefinition().status() != TaskDefinitionStatus.ACTIVE) {
        return null;
      }
      return r;
    } catch (ClientException e) {
      // ECS answers ClientException "Unable to describe task definition." for a family with no ACTIVE revision
      if (AwsErrors.isAccess(e)) {
        throw AwsErrors.translate("ECS DescribeTaskDefinition for " + family, e);
      }
      progress.detail("no ACTIVE revision of " + family + " yet (" + e.awsErrorDetails().errorMessage() + ")");
      return null;
    } catch (SdkException e) {
      throw AwsErrors.translate("ECS DescribeTaskDefinition for " + family, e);
    }
  }

  private boolean logGroupExists(String name) {
    try {
      return aws.logs().describeLogGroupsPaginator(b -> b.logGroupNamePrefix(name)).logGroups().stream()
          .anyMatch(g -> name.equals(g.logGroupName()));
    } catch (SdkException e) {
      throw AwsErrors.translate("CloudWatch Logs DescribeLogGroups for " + name, e);
    }
  }

  /**
   * When the definition needs an execution role and names none, and the latest revision uses the account's
   * ecsTaskExecutionRole and is otherwise the same, takes that role into {@code def} (a rerun then looks nothing
   * up). Returns whether it did.
   */
  private static boolean reusesLatestRole(ObjectNode def, DescribeTaskDefinitionResponse latest) {
    String arn = latest == null ? null : latest.taskDefinition().executionRoleArn();
    if (arn == null || !arn.endsWith(":role/" + ExecutionRole.NAME)) {
      return false;
    }
    ObjectNode candidate = def.deepCopy().put("executionRoleArn", arn);
    if (!latestIsSame(candidate, latest)) {
      return false;
    }
    def.put("executionRoleArn", arn);
    return true;
  }

  private static boolean latestIsSame(ObjectNode def, DescribeTaskDefinitionResponse latest) {
    return latest != null && TaskDefinitions.same(def, TaskDefinitions.fromSdk(latest.taskDefinition(), latest.tags()));
  }

  /** Creates the log group; false when another run created it meanwhile. */
  private boolean createLogGroup(String name) {
    try {
      aws.logs().createLogGroup(b -> b.logGroupName(name));
      progress.info("created log group " + name);
      return true;
    } catch (ResourceAlreadyExistsException e) {
      progress.detail("log group " + name + " was created meanwhile");
      return false;
    } catch (SdkException e) {
      throw AwsErrors.translate("CloudWatch Logs CreateLogGroup " + name, e);
    }
  }

  /**
   * Deregisters ACTIVE revisions older than the newest {@code keep}, except the current one and those in use.
   * {@code current} is null in a dry run that would register a new revision: it then counts as the newest.
   */
  private void prune(String family, int keep, Integer current, boolean dry, List<String> deregistered,
      List<String> keptInUse, dev.berth.report.Plan.Builder changes) {
    List<Integer> revisions = new ArrayList<>();
    try {
      aws.ecs().listTaskDefinitionsPaginator(b -> b.familyPrefix(family).status(TaskDefinitionStatus.ACTIVE)
          .sort(SortOrder.DESC)).taskDefinitionArns().forEach(arn -> {
            String fr = familyRevision(arn);
            int colon = fr.lastIndexOf(':');
            if (colon > 0 && fr.substring(0, colon).equals(family)) {
              revisions.add(Integer.parseInt(fr.substring(colon + 1)));
            }
          });
    } catch (SdkException e) {
      throw AwsErrors.translate("ECS ListTaskDefinitions for " + family, e);
    }
    revisions.sort(Comparator.reverseOrder());
    if (current == null) {
      revisions.add(0, Integer.MAX_VALUE); // the revision a real run would register first
    }
    List<Integer> candidates = new ArrayList<>();
    for (int i = keep; i < revisions.size(); i++) {
      if (!revisions.get(i).equals(current) && revisions.get(i) != Integer.MAX_VALUE) {
        candidates.add(revisions.get(i));
      }
    }
    if (candidates.isEmpty()) {
      return;
    }
    Set<String> inUse = revisionsInUse();
    for (int rev : candidates) {
      String fr = family + ":" + rev;
      if (inUse.contains(fr)) {
        keptInUse.add(fr);
        progress.info("keeping " + fr + ": a service still uses it");
        continue;
      }
      changes.add(Change.delete("ecs:task-definition", fr));
      if (dry) {
        deregistered.add(fr);
        continue;
      }
      try {
        aws.ecs().deregisterTaskDefinition(b -> b.taskDefinition(fr));
      } catch (SdkException e) {
        throw AwsErrors.translate("ECS DeregisterTaskDefinition for " + fr, e).withResult(Map.of(
            "deregistered", List.copyOf(deregistered)));
      }
      deregistered.add(fr);
      progress.info("deregistered " + fr);
    }
  }

  /** family:revision of every task definition a service or one of its deployments uses, in every cluster. */
  private Set<String> revisionsInUse() {
    Set<String> used = new HashSet<>();
    try {
      for (String cluster : aws.ecs().listClustersPaginator(b -> {}).clusterArns()) {
        List<String> services = new ArrayList<>();
        aws.ecs().listServicesPaginator(b -> b.cluster(cluster)).serviceArns().forEach(services::add);
        for (int i = 0; i < services.size(); i += 10) {
          List<String> batch = services.subList(i, Math.min(services.size(), i + 10));
          for (Service s : aws.ecs().describeServices(b -> b.cluster(cluster).services(batch)).services()) {
            if (s.taskDefinition() != null) {
              used.add(familyRevision(s.taskDefinition()));
            }
            s.deployments().forEach(d -> {
              if (d.taskDefinition() != null) {
                used.add(familyRevision(d.taskDefinition()));
              }
            });
          }
        }
      }
    } catch (AwsServiceException e) {
      throw AwsErrors.translate("ECS services (to keep revisions in use)", e);
    } catch (SdkException e) {
      throw AwsErrors.translate("ECS services (to keep revisions in use)", e);
    }
    return used;
  }

  /** "arn:aws:ecs:r:a:task-definition/fam:3" or "fam:3" -> "fam:3". */
  static String familyRevision(String arnOrName) {
    int slash = arnOrName.lastIndexOf('/');
    return slash >= 0 ? arnOrName.substring(slash + 1) : arnOrName;
  }
}
