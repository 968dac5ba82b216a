package dev.berth.step;

import dev.berth.aws.AwsClients;
import dev.berth.aws.AwsErrors;
import dev.berth.report.BerthException;
import dev.berth.report.Change;
import dev.berth.report.Json;
import dev.berth.report.Plan;
import dev.berth.report.InvalidInputException;
import dev.berth.report.Progress;
import dev.berth.report.Violation;
import dev.berth.rollout.Rollout;
import dev.berth.rollout.RolloutWatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Deployment;
import software.amazon.awssdk.services.ecs.model.DescribeTaskDefinitionResponse;
import software.amazon.awssdk.services.ecs.model.ListServiceDeploymentsResponse;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.ServiceDeploymentBrief;
import software.amazon.awssdk.services.ecs.model.ServiceDeploymentStatus;
import software.amazon.awssdk.services.ecs.model.ServiceRevision;
import software.amazon.awssdk.services.ecs.model.SortOrder;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionField;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;

/**
 * Starts a new deployment of a service and watches it to a verdict like a deploy: of the task definition it runs
 * now (the console's "Force new deployment"), of that task definition re-rendered with new container images
 * (promotion), or of the task definition of the last deployment that completed before the current one
 * (rollback).
 */
public final class EcsForceRedeploy {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(15);
  /** How many successful service deployments a rollback looks back through at most. */
  static final int ROLLBACK_LOOKBACK = 100;

  /**
   * What to do. {@code images} maps container names to image references (empty: keep the images);
   * {@code rollback} and images exclude each other.
   */
  public record Request(String cluster, String service, Map<String, String> images, boolean rollback,
      boolean waitForRollout, Duration timeout, boolean dryRun, String fromService) {
    public Request {
      images = images == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(images));
      timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
      fromService = fromService == null || fromService.isBlank() ? null : fromService.trim();
    }

    public Request(String cluster, String service, Map<String, String> images, boolean rollback,
        boolean waitForRollout, Duration timeout, boolean dryRun) {
      this(cluster, service, images, rollback, waitForRollout, timeout, dryRun, null);
    }

    /** A real run (not a dry run). */
    public Request(String cluster, String service, Map<String, String> images, boolean rollback,
        boolean waitForRollout, Duration timeout) {
      this(cluster, service, images, rollback, waitForRollout, timeout, false, null);
    }
  }

  /**
   * What happened. {@code verdict} and {@code reasons} are null without --wait. {@code rollbackSource} says how
   * a rollback target was found: {@code service-deployments} (ECS's deployment history) or
   * {@code previous-revision} (the family's previous ACTIVE revision). {@code taskDefinitionRegistered} is
   * true when --image registered a new revision, false when an identical one was reused. {@code changes} lists
   * what the run changed (a new task-definition revision with its differences, the service's task definition and
   * images, the new deployment); with {@code dryRun} (true, else absent) what it would change, and then nothing
   * is registered or deployed: {@code deploymentId} is null, and {@code taskDefinitionArn} is null when a new
   * revision would be registered.
   */
  public record Result(String clusterArn, String serviceArn, String deploymentId, String previousDeploymentId,
      String taskDefinitionArn, String previousTaskDefinitionArn, String rolloutState, String verdict,
      List<String> reasons, Boolean taskDefinitionRegistered, String rollbackSource, Boolean dryRun,
      List<Change> changes) {}

  /**
   * Registers a task definition like {@code current} with new images, reusing an identical revision; with
   * {@code dryRun} registers nothing and says what it would register.
   */
  @FunctionalInterface
  public interface Reimager {
    Reimaged reimage(TaskDefinition current, List<Tag> tags, Map<String, String> images, boolean dryRun);
  }

  /**
   * The revision to deploy (null in a dry run that would register a new one), whether it was just registered,
   * and the task-definition changes (empty when an identical revision is reused).
   */
  public record Reimaged(String taskDefinitionArn, boolean registered, List<Change> changes) {
    public Reimaged {
      changes = changes == null ? List.of() : List.copyOf(changes);
    }

    public Reimaged(String taskDefinitionArn, boolean registered) {
      this(taskDefinitionArn, registered, List.of());
    }
  }

  private final EcsClient ecs;
  private final Reimager reimager;
  private final RolloutWatcher watcher;
  private final Progress progress;

  public EcsForceRedeploy(EcsClient ecs, Reimager reimager, RolloutWatcher watcher, Progress progress) {
    this.ecs = Objects.requireNonNull(ecs);
    this.reimager = Objects.requireNonNull(reimager);
    this.watcher = Objects.requireNonNull(watcher);
    this.progress = Objects.requireNonNull(progress);
  }

  /**
   * With the system clock and sleeps, the target health of the service's ALB in failure reasons, and
   * {@link EcsRegisterTask} registering (or reusing) the re-imaged task definition.
   */
  public static EcsForceRedeploy create(AwsClients aws, Progress progress) {
    return create(aws, progress, dev.berth.rollout.TaskLogs.DEFAULT_LINES);
  }

  /**
   * As {@link #create(AwsClients, Progress)}, with the last {@code logLines} lines (0: none) of the stopped tasks'
   * container logs in a failure verdict (the CloudWatch Logs client is built only then).
   */
  public static EcsForceRedeploy create(AwsClients aws, Progress progress, int logLines) {
    Reimager viaRegisterTask = (td, tags, images, dryRun) -> {
      EcsRegisterTask.Result r = new EcsRegisterTask(aws, progress)
          .run(EcsRegisterTask.Request.fromTaskDefinition(td, tags, images).withDryRun(dryRun));
      return new Reimaged(r.taskDefinitionArn(), r.registered(), r.changes());
    };
    return new EcsForceRedeploy(aws.ecs(), viaRegisterTask, RolloutWatcher.systemWithLazyElb(aws.ecs(), aws::elb, progress)
        .withLogs(aws::logs, aws.region().id(), logLines),
        progress);
  }

  public Result run(Request request) {
    validate(request);
    EcsServiceLookup.Found found = EcsServiceLookup.find(ecs, request.cluster(), request.service());
    Service service = found.service();
    String serviceName = found.serviceName();
    if (service.deploymentController() != null && service.deploymentController().type() != null
        && !"ECS".equals(service.deploymentController().typeAsString())) {
      throw new InvalidInputException("--service", "service '" + serviceName + "' uses the "
          + service.deploymentController().typeAsString() + " deployment controller; berth redeploys services of "
          + "the ECS (rolling update) controller");
    }
    Deployment previous = primary(service);
    String previousDeploymentId = previous == null ? null : previous.id();
    String currentTd = service.taskDefinition() != null ? service.taskDefinition()
        : previous == null ? null : previous.taskDefinition();
    if (currentTd == null) {
      throw new InvalidInputException("--service", "service '" + serviceName + "' has no task definition (it uses "
          + "task sets or an external deployment controller); berth redeploys services of the ECS controller");
    }

    String targetTd = currentTd;
    Boolean registered = null;
    String rollbackSource = null;
    Plan.Builder plan = Plan.builder();
    List<Change.Field> serviceFields = new ArrayList<>();
    String serviceId = found.clusterName() + "/" + serviceName;
    Map<String, String> images = request.images();
    if (request.fromService() != null) {
      images = imagesOf(request.fromService(), found, currentTd);
      progress.info("promoting the images " + request.fromService() + " runs: " + describe(images));
    }
    if (!images.isEmpty()) {
      Reimaged r = reimage(currentTd, images, request.dryRun(), serviceFields);
      targetTd = r.taskDefinitionArn();
      registered = r.registered();
      plan.addAll(r.changes());
      progress.info("promoting " + describe(images) + ": " + (targetTd == null
          ? family(currentTd) + " (a new revision)" : shortTd(targetTd)
          + (r.registered() ? " (new revision)" : " (identical revision reused)")));
    } else if (request.rollback()) {
      RollbackTarget t = rollbackTarget(found, currentTd);
      targetTd = t.taskDefinitionArn();
      rollbackSource = t.source();
      progress.info("rolling back from " + shortTd(currentTd) + " to " + shortTd(targetTd) + " (" + t.how() + ")");
    }
    String targetName = targetTd == null ? EcsRegisterTask.newRevision(family(currentTd)) : shortTd(targetTd);
    if (!targetName.equals(shortTd(currentTd))) {
      serviceFields.add(0, Change.Field.of("taskDefinition", shortTd(currentTd), targetName));
    }
    serviceFields.add(Change.Field.of("deployment", previousDeploymentId, "(new deployment of " + targetName + ")"));
    plan.add(Change.update("ecs:service", serviceId, serviceFields));

    if (request.dryRun()) {
      return new Result(found.cluster().clusterArn(), service.serviceArn(), null, previousDeploymentId, targetTd,
          currentTd, null, null, null, registered, rollbackSource, true, plan.build().changes());
    }

    String td = targetTd.equals(currentTd) ? null : targetTd;
    Service updated;
    try {
      updated = ecs.updateService(b -> b.cluster(found.cluster().clusterArn()).service(serviceName)
          .taskDefinition(td).forceNewDeployment(true)).service();
    } catch (SdkException e) {
      throw AwsErrors.translate("ECS UpdateService (force new deployment) for " + serviceName, e);
    }
    Deployment ours = primary(updated);
    if (ours == null || ours.id() == null || ours.id().equals(previousDeploymentId)) {
      throw BerthException.failed("ECS UpdateService with forceNewDeployment for service " + serviceName
          + " started no new deployment (PRIMARY is still " + previousDeploymentId + ")");
    }
    progress.info("started deployment " + ours.id() + " of " + shortTd(targetTd) + " (previous: "
        + previousDeploymentId + " of " + shortTd(currentTd) + ")");
    List<Change> changes = applied(plan.build().changes(), serviceId, targetName, shortTd(targetTd), ours.id());

    if (!request.waitForRollout()) {
      return new Result(found.cluster().clusterArn(), updated.serviceArn(), ours.id(), previousDeploymentId,
          targetTd, currentTd, ours.rolloutStateAsString(), null, null, registered, rollbackSource, null, changes);
    }
    Rollout rollout = watcher.watch(found.cluster().clusterArn(), serviceName, ours.id(), request.timeout());
    if (rollout.taskDefinitionArn() != null && !rollout.taskDefinitionArn().equals(targetTd)) {
      progress.warn("ECS reports task definition " + shortTd(rollout.taskDefinitionArn()) + " for deployment "
          + ours.id() + ", not " + shortTd(targetTd) + " as requested");
    }
    Result result = new Result(found.cluster().clusterArn(), updated.serviceArn(), ours.id(), previousDeploymentId,
        targetTd, currentTd, rollout.rolloutState(), rollout.verdict().name(),
        rollout.succeeded() ? null : rollout.reasons(), registered, rollbackSource, null, changes);
    if (!rollout.succeeded()) {
      throw rollout.failure(serviceName).withResult(result);
    }
    return result;
  }

  /**
   * The plan's changes as they were applied: the placeholder of the new revision replaced by its family:revision,
   * the new deployment by its id.
   */
  private static List<Change> applied(List<Change> planned, String serviceId, String plannedTd, String actualTd,
      String deploymentId) {
    List<Change> out = new ArrayList<>();
    for (Change c : planned) {
      if (c.resource().equals("ecs:task-definition") && c.name().equals(plannedTd)) {
        out.add(new Change(c.resource(), actualTd, c.action(), c.fields()));
      } else if (c.resource().equals("ecs:service") && c.name().equals(serviceId)) {
        List<Change.Field> fields = new ArrayList<>();
        for (Change.Field f : c.fields()) {
          if (f.field().equals("taskDefinition")) {
            fields.add(new Change.Field(f.field(), f.before(), Json.mapper().valueToTree(actualTd)));
          } else if (f.field().equals("deployment")) {
            fields.add(new Change.Field(f.field(), f.before(), Json.mapper().valueToTree(deploymentId)));
          } else {
            fields.add(f);
          }
        }
        out.add(new Change(c.resource(), c.name(), c.action(), fields));
      } else {
        out.add(c);
      }
    }
    return out;
  }

  private static void validate(Request r) {
    List<Violation> v = new ArrayList<>();
    if (r.cluster() == null || r.cluster().isBlank()) {
      v.add(Violation.error("--cluster", "is required"));
    }
    if (r.service() == null || r.service().isBlank()) {
      v.add(Violation.error("--service", "is required"));
    }
    for (Map.Entry<String, String> e : r.images().entrySet()) {
      if (e.getKey() == null || e.getKey().isBlank() || e.getValue() == null || e.getValue().isBlank()) {
        v.add(Violation.error("--image", "expected CONTAINER=IMAGE, got '" + e.getKey() + "=" + e.getValue() + "'"));
      }
    }
    if (r.fromService() != null && (!r.images().isEmpty() || r.rollback())) {
      v.add(Violation.error("--from-service", "cannot be combined with " + (r.rollback() ? "--rollback" : "--image")
          + " (it deploys the images another service runs)"));
    }
    if (r.fromService() != null && !r.fromService().matches("[^/\\s]+(/[^/\\s]+)?")) {
      v.add(Violation.error("--from-service", "expected CLUSTER/SERVICE (or SERVICE in the same cluster), got '"
          + r.fromService() + "'"));
    }
    if (r.rollback() && !r.images().isEmpty()) {
      v.add(Violation.error("--rollback", "cannot be combined with --image (a rollback deploys an earlier task "
          + "definition as it was)"));
    }
    if (r.timeout().isNegative() || r.timeout().isZero()) {
      v.add(Violation.error("--timeout", "must be positive, not " + r.timeout()));
    }
    InvalidInputException.throwIfAny(v);
  }

  /**
   * Re-renders the current task definition with the new images (registering or reusing a revision, or in a dry
   * run only saying which); adds each container whose image changes to {@code serviceFields}.
   */
  private Reimaged reimage(String currentTd, Map<String, String> images, boolean dryRun,
      List<Change.Field> serviceFields) {
    DescribeTaskDefinitionResponse d;
    try {
      d = ecs.describeTaskDefinition(b -> b.taskDefinition(currentTd).include(TaskDefinitionField.TAGS));
    } catch (SdkException e) {
      throw AwsErrors.translate("ECS DescribeTaskDefinition for " + currentTd, e);
    }
    TaskDefinition td = d.taskDefinition();
    List<String> names = td.containerDefinitions().stream().map(c -> c.name()).toList();
    List<Violation> v = new ArrayList<>();
    for (String container : images.keySet()) {
      if (!names.contains(container)) {
        v.add(Violation.error("--image", "task definition " + shortTd(currentTd) + " has no container '" + container
            + "' (its containers: " + String.join(", ", names) + ")"));
      }
    }
    InvalidInputException.throwIfAny(v);
    td.containerDefinitions().forEach(c -> {
      String wanted = images.get(c.name());
      if (wanted != null && !wanted.equals(c.image())) {
        serviceFields.add(Change.Field.of("containers[" + c.name() + "].image", c.image(), wanted));
      }
    });
    return reimager.reimage(td, d.tags(), images, dryRun);
  }

  /**
   * The images, by digest, that the other service runs now, for each container of this service's task definition:
   * the other service's task definition's image when it is pinned by digest, else the digest its running tasks
   * report for the container. A container that only one of the two task definitions has, or an image whose digest
   * is not known, is invalid input (exit 3) naming it.
   */
  private Map<String, String> imagesOf(String from, EcsServiceLookup.Found target, String currentTd) {
    int slash = from.indexOf('/');
    String cluster = slash < 0 ? target.cluster().clusterArn() : from.substring(0, slash);
    String name = slash < 0 ? from : from.substring(slash + 1);
    EcsServiceLookup.Found source;
    try {
      source = EcsServiceLookup.find(ecs, cluster, name);
    } catch (InvalidInputException e) {
      throw new InvalidInputException(e.violations().stream().map(x -> Violation.error("--from-service",
          x.message())).toList());
    }
    if (source.service().serviceArn().equals(target.service().serviceArn())) {
      throw new InvalidInputException("--from-service", "names the service being redeployed");
    }
    String sourceTd = source.service().taskDefinition();
    if (sourceTd == null) {
      throw new InvalidInputException("--from-service", "service '" + from + "' names no task definition");
    }
    TaskDefinition theirs = describeTd(sourceTd);
    TaskDefinition ours = describeTd(currentTd);
    List<String> ourNames = ours.containerDefinitions().stream().map(c -> c.name()).toList();
    List<String> theirNames = theirs.containerDefinitions().stream().map(c -> c.name()).toList();
    List<Violation> v = new ArrayList<>();
    for (String c : ourNames) {
      if (!theirNames.contains(c)) {
        v.add(Violation.error("--from-service", "container '" + c + "' of " + shortTd(currentTd) + " is not in "
            + from + "'s " + shortTd(sourceTd) + " (its containers: " + String.join(", ", theirNames) + ")"));
      }
    }
    for (String c : theirNames) {
      if (!ourNames.contains(c)) {
        v.add(Violation.error("--from-service", "container '" + c + "' of " + from + "'s " + shortTd(sourceTd)
            + " is not in " + shortTd(currentTd) + " (its containers: " + String.join(", ", ourNames) + ")"));
      }
    }
    InvalidInputException.throwIfAny(v);
    Map<String, String> running = runningDigests(source);
    Map<String, String> images = new LinkedHashMap<>();
    for (var c : theirs.containerDefinitions()) {
      String image = c.image();
      if (image != null && image.contains("@sha256:")) {
        images.put(c.name(), image);
      } else if (running.containsKey(c.name()) && image != null) {
        images.put(c.name(), repository(image) + "@" + running.get(c.name()));
      } else {
        v.add(Violation.error("--from-service", "container '" + c.name() + "' of " + from + " has image " + image
            + ", not pinned by digest, and no running task reports its digest"));
      }
    }
    InvalidInputException.throwIfAny(v);
    return images;
  }

  private TaskDefinition describeTd(String arn) {
    try {
      return ecs.describeTaskDefinition(b -> b.taskDefinition(arn)).taskDefinition();
    } catch (SdkException e) {
      throw AwsErrors.translate("ECS DescribeTaskDefinition for " + arn, e);
    }
  }

  /** Container name -> image digest reported by one RUNNING task of the service (empty when none runs). */
  private Map<String, String> runningDigests(EcsServiceLookup.Found s) {
    Map<String, String> out = new LinkedHashMap<>();
    try {
      List<String> arns = ecs.listTasks(b -> b.cluster(s.cluster().clusterArn()).serviceName(s.serviceName())
          .desiredStatus(software.amazon.awssdk.services.ecs.model.DesiredStatus.RUNNING).maxResults(10)).taskArns();
      if (arns.isEmpty()) {
        return out;
      }
      for (var t : ecs.describeTasks(b -> b.cluster(s.cluster().clusterArn()).tasks(arns)).tasks()) {
        if (!"RUNNING".equals(t.lastStatus()) || !s.service().taskDefinition().equals(t.taskDefinitionArn())) {
          continue;
        }
        t.containers().forEach(c -> {
          if (c.imageDigest() != null) {
            out.putIfAbsent(c.name(), c.imageDigest());
          }
        });
      }
    } catch (SdkException e) {
      throw AwsErrors.translate("ECS ListTasks/DescribeTasks for " + s.serviceName(), e);
    }
    return out;
  }

  /** The repository of an image reference: without its tag and digest. */
  static String repository(String image) {
    String s = image;
    int at = s.indexOf('@');
    if (at >= 0) {
      s = s.substring(0, at);
    }
    int colon = s.lastIndexOf(':');
    return colon > s.lastIndexOf('/') ? s.substring(0, colon) : s;
  }

  /** Where a rollback goes, and how that was found. */
  record RollbackTarget(String taskDefinitionArn, String source, String how) {}

  /**
   * The task definition of the newest deployment that finished SUCCESSFUL with a task definition other than the
   * one the service runs now, from ECS's service-deployment history (ListServiceDeployments +
   * DescribeServiceRevisions). When that history is unavailable (older endpoints, emulators, no
   * ecs:ListServiceDeployments permission) or holds no such deployment, the family's previous ACTIVE revision
   * (the highest revision below the current one), with a warning that it may never have been deployed.
   */
  RollbackTarget rollbackTarget(EcsServiceLookup.Found found, String currentTd) {
    String why;
    try {
      String fromHistory = lastSuccessfulOther(found, currentTd);
      if (fromHistory != null) {
        return new RollbackTarget(fromHistory, "service-deployments",
            "the last deployment that completed with another task definition");
      }
      why = "ECS lists no earlier successful deployment of another task definition (its deployment history starts"
          + " on 25 October 2024 and is kept for 90 days)";
    } catch (SdkException e) {
      if (AwsErrors.isAccess(e)) {
        why = "ecs:ListServiceDeployments/ecs:DescribeServiceRevisions are not allowed ("
            + shortError(e) + ": " + deniedMessage(e) + ")";
      } else if (unsupported(e)) {
        why = "ECS ListServiceDeployments is not available here (" + shortError(e) + ")";
      } else {
        // a real ECS error (ServerException, throttling after retries): do not guess another revision
        throw AwsErrors.translate("ECS ListServiceDeployments/DescribeServiceRevisions for " + found.serviceName(), e);
      }
    }
    String previous = previousRevision(currentTd);
    if (previous == null) {
      throw new InvalidInputException("--rollback", "nothing to roll back to: " + why + ", and family "
          + family(currentTd) + " has no ACTIVE revision below " + shortTd(currentTd));
    }
    progress.warn(why + "; rolling back to the previous ACTIVE revision of the family instead, "
        + shortTd(previous) + ", which may never have been deployed");
    return new RollbackTarget(previous, "previous-revision", "the previous ACTIVE revision of the family");
  }

  private String lastSuccessfulOther(EcsServiceLookup.Found found, String currentTd) {
    List<ServiceDeploymentBrief> successful = new ArrayList<>();
    String token = null;
    do {
      String next = token;
      ListServiceDeploymentsResponse page = ecs.listServiceDeployments(b -> b.cluster(found.cluster().clusterArn())
          .service(found.serviceName()).status(ServiceDeploymentStatus.SUCCESSFUL).nextToken(next));
      successful.addAll(page.serviceDeployments());
      token = page.nextToken();
    } while (token != null && successful.size() < ROLLBACK_LOOKBACK);
    successful.sort(Comparator.comparing((ServiceDeploymentBrief b) -> b.finishedAt() != null ? b.finishedAt()
        : b.createdAt(), Comparator.nullsLast(Comparator.reverseOrder())));
    List<String> revisions = successful.stream().map(ServiceDeploymentBrief::targetServiceRevisionArn)
        .filter(Objects::nonNull).toList();
    for (int i = 0; i < revisions.size(); i += 20) {
      List<String> batch = revisions.subList(i, Math.min(i + 20, revisions.size()));
      Map<String, String> tdByRevision = new LinkedHashMap<>();
      for (ServiceRevision r : ecs.describeServiceRevisions(b -> b.serviceRevisionArns(batch)).serviceRevisions()) {
        tdByRevision.put(r.serviceRevisionArn(), r.taskDefinition());
      }
      for (String arn : batch) {
        String td = tdByRevision.get(arn);
        if (td != null && !sameTaskDefinition(td, currentTd)) {
          return td;
        }
      }
    }
    return null;
  }

  /** The highest ACTIVE revision of the family below the current one, or null. */
  private String previousRevision(String currentTd) {
    String family = family(currentTd);
    int current = revision(currentTd);
    try {
      for (String arn : ecs.listTaskDefinitionsPaginator(b -> b.familyPrefix(family)
          .status(TaskDefinitionStatus.ACTIVE).sort(SortOrder.DESC)).taskDefinitionArns()) {
        if (family.equals(family(arn)) && revision(arn) < current) {
          return arn;
        }
      }
    } catch (SdkException e) {
      throw AwsErrors.translate("ECS ListTaskDefinitions for family " + family, e);
    }
    return null;
  }

  private static boolean sameTaskDefinition(String a, String b) {
    return shortTd(a).equals(shortTd(b));
  }

  private static Deployment primary(Service s) {
    return s == null ? null
        : s.deployments().stream().filter(d -> "PRIMARY".equals(d.status())).findFirst().orElse(null);
  }

  /** {@code family:revision} of a task definition ARN (or the text itself). */
  static String shortTd(String arn) {
    int slash = arn.lastIndexOf('/');
    return slash < 0 ? arn : arn.substring(slash + 1);
  }

  static String family(String arn) {
    String s = shortTd(arn);
    int colon = s.lastIndexOf(':');
    return colon < 0 ? s : s.substring(0, colon);
  }

  static int revision(String arn) {
    String s = shortTd(arn);
    int colon = s.lastIndexOf(':');
    try {
      return colon < 0 ? Integer.MAX_VALUE : Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }

  private static String describe(Map<String, String> images) {
    List<String> parts = new ArrayList<>();
    images.forEach((c, i) -> parts.add(c + "=" + i));
    return String.join(", ", parts);
  }

  /**
   * True when the endpoint does not implement the operation: HTTP 404/501, an unknown-operation error code, or
   * an HTTP 500 without any AWS error code (what moto answers for operations it lacks). A real ECS answers a
   * server fault with the ServerException code, which is not taken for "unsupported".
   */
  static boolean unsupported(SdkException e) {
    if (e instanceof software.amazon.awssdk.services.ecs.model.UnsupportedFeatureException) {
      return true;
    }
    if (!(e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException ase)) {
      return false;
    }
    String code = AwsErrors.code(e);
    if (code != null && java.util.Set.of("UnknownOperationException", "InvalidAction", "NotImplemented",
        "UnsupportedOperation", "UnsupportedOperationException").contains(code)) {
      return true;
    }
    int status = ase.statusCode();
    return status == 404 || status == 501 || status == 500 && (code == null || code.isBlank());
  }

  /** AWS's words for a refused call (which of the two actions, once ApiCallLog has named it). */
  private static String deniedMessage(SdkException e) {
    if (e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException ase && ase.awsErrorDetails() != null
        && ase.awsErrorDetails().errorMessage() != null) {
      return ase.awsErrorDetails().errorMessage();
    }
    return String.valueOf(e.getMessage());
  }

  private static String shortError(SdkException e) {
    if (e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException ase) {
      String code = AwsErrors.code(e);
      return "HTTP " + ase.statusCode() + (code == null ? "" : " " + code);
    }
    String code = AwsErrors.code(e);
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (m.length() > 160) {
      m = m.substring(0, 160) + "...";
    }
    return code != null ? code + ": " + m : m;
  }
}
