package dev.berth.rollout;

import dev.berth.aws.AwsErrors;
import dev.berth.report.BerthException;
import dev.berth.report.Progress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Container;
import software.amazon.awssdk.services.ecs.model.DescribeServicesResponse;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.Deployment;
import software.amazon.awssdk.services.ecs.model.LoadBalancer;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.ServiceEvent;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthStateEnum;

/**
 * Follows one ECS deployment (by id) to a {@link Verdict}. Its own loop, not the SDK's "services stable"
 * waiter: every {@code pollInterval} it calls DescribeServices once, prints each new service event once, and
 * prints the deployment's counts and rolloutState only when they change. It ends with:
 *
 * <ul>
 *   <li>{@link Verdict#COMPLETED}: our deployment is PRIMARY, the only deployment, rolloutState COMPLETED
 *       (or, when ECS gives no rolloutState, nothing pending) and running = desired;
 *   <li>{@link Verdict#ROLLED_BACK}: our deployment FAILED (rolloutState, or a circuit-breaker event naming
 *       it) and another task definition is PRIMARY again. Never a success;
 *   <li>{@link Verdict#FAILED}: our deployment FAILED and is still PRIMARY (no rollback, or the rollback did
 *       not appear within a few polls), or the service is gone or draining;
 *   <li>{@link Verdict#SUPERSEDED}: a newer deployment that is not a circuit-breaker rollback replaced ours
 *       ({@link Rollout#supersededBy()} names it) — never someone else's success or failure;
 *   <li>{@link Verdict#TIMED_OUT}: the timeout passed first.
 * </ul>
 *
 * <p>On anything but COMPLETED it collects reasons and prints them as warnings: the stopped tasks of our
 * deployment (ListTasks desiredStatus STOPPED + DescribeTasks, kept when {@code startedBy} is our deployment id
 * or the task definition is ours) with {@code stoppedReason} and each container's exit code and reason, and the
 * unhealthy targets of the service's target groups with their reason codes (DescribeTargetHealth; skipped when
 * no ELB client is given). Failing to read those adds a reason line instead of failing the watch.
 *
 * <p>Passing a null deployment id follows the deployment that is PRIMARY at the first poll (for steps that
 * start no deployment of their own, such as a scale or an update the endpoint did not turn into a deployment).
 *
 * <p>Clock and sleeps are injected, so tests drive it with recorded responses and never sleep. SDK errors
 * while polling are thrown as {@link BerthException} (access problems exit 4); an interrupt restores the
 * interrupt flag and throws a FAILED BerthException.
 */
public final class RolloutWatcher {
  /** Default time between two DescribeServices calls. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);
  /** Polls to wait for the circuit breaker's rollback deployment after ours turned FAILED with rollback on. */
  static final int ROLLBACK_GRACE_POLLS = 6;
  private static final int MAX_REASONS = 12;
  private static final Duration OLD_DEPLOYMENT = Duration.ofMinutes(5);
  private static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

  private final EcsClient ecs;
  /** Built on first use: a service without a load balancer never pays for the ELB client (start-up time). */
  private final java.util.function.Supplier<ElasticLoadBalancingV2Client> elb;
  private final Progress progress;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Duration pollInterval;
  /** Reads stopped tasks' container logs for failure verdicts; null: no logs. */
  private final TaskLogs taskLogs;

  /**
   * @param ecs the ECS client (DescribeServices, ListTasks, DescribeTasks)
   * @param elbOrNull the ELBv2 client for DescribeTargetHealth, or null to skip target health
   * @param progress where events, count changes and reasons are printed
   * @param clock time source for the deadline
   * @param sleeper how to wait between polls
   * @param pollInterval time between polls (positive)
   */
  public RolloutWatcher(EcsClient ecs, ElasticLoadBalancingV2Client elbOrNull, Progress progress, Clock clock,
      Sleeper sleeper, Duration pollInterval) {
    this(() -> elbOrNull, ecs, progress, clock, sleeper, pollInterval);
  }

  /** As above, with the ELBv2 client asked for only when a failing rollout has target groups to explain. */
  private RolloutWatcher(java.util.function.Supplier<ElasticLoadBalancingV2Client> elb, EcsClient ecs,
      Progress progress, Clock clock, Sleeper sleeper, Duration pollInterval) {
    this(elb, ecs, progress, clock, sleeper, pollInterval, null);
  }

  private RolloutWatcher(java.util.function.Supplier<ElasticLoadBalancingV2Client> elb, EcsClient ecs,
      Progress progress, Clock clock, Sleeper sleeper, Duration pollInterval, TaskLogs taskLogs) {
    this.taskLogs = taskLogs;
    this.ecs = Objects.requireNonNull(ecs, "ecs");
    this.elb = Objects.requireNonNull(elb, "elb");
    this.progress = Objects.requireNonNull(progress, "progress");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    if (pollInterval == null || pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("pollInterval must be positive");
    }
    this.pollInterval = pollInterval;
  }

  /** A watcher with the system clock, real sleeps and the default poll interval. */
  public static RolloutWatcher system(EcsClient ecs, ElasticLoadBalancingV2Client elbOrNull, Progress progress) {
    return new RolloutWatcher(ecs, elbOrNull, progress, Clock.systemUTC(), Sleeper.system(), DEFAULT_POLL_INTERVAL);
  }

  /** A watcher with the system clock, real sleeps, the default poll interval and an ELB client built on use. */
  public static RolloutWatcher systemWithLazyElb(EcsClient ecs,
      java.util.function.Supplier<ElasticLoadBalancingV2Client> elb, Progress progress) {
    return new RolloutWatcher(elb, ecs, progress, Clock.systemUTC(), Sleeper.system(), DEFAULT_POLL_INTERVAL);
  }

  /**
   * This watcher with container logs in failure verdicts: the last {@code lines} lines (0: none) of the awslogs
   * streams of the essential containers of up to {@value #MAX_LOG_TASKS} of our stopped tasks (the newest one
   * of each distinct stop reason), read with {@code logs} (asked for only then, so a successful rollout never
   * builds the client). {@code region} is the client's region (a stream configured for another one is named,
   * not read), or null.
   */
  public RolloutWatcher withLogs(java.util.function.Supplier<CloudWatchLogsClient> logs, String region, int lines) {
    return new RolloutWatcher(elb, ecs, progress, clock, sleeper, pollInterval,
        lines <= 0 ? null : new TaskLogs(ecs, logs, region, Math.min(lines, TaskLogs.MAX_LINES)));
  }

  /** Stopped tasks whose container logs a failure verdict shows at most. */
  public static final int MAX_LOG_TASKS = 2;

  /**
   * Watches {@code deploymentId} of {@code service} in {@code cluster} until a verdict or {@code timeout}.
   *
   * @param deploymentId the deployment to follow ({@code ecs-svc/...}), or null for the PRIMARY one at the first poll
   * @return the verdict with the last counts and, unless COMPLETED, the reasons (also printed)
   */
  public Rollout watch(String cluster, String service, String deploymentId, Duration timeout) {
    return new Watch(cluster, service, deploymentId, timeout).run();
  }

  /** One watch: the state that must survive between polls. */
  private final class Watch {
    private final String cluster;
    private final String service;
    private String deploymentId;
    private final Instant started;
    private final Instant deadline;
    private final Set<String> seenEvents = new HashSet<>();
    private final List<ServiceEvent> eventsSoFar = new ArrayList<>();
    private boolean firstPoll = true;
    private String lastCounts;
    private Deployment lastOurs;
    private boolean oursFailedSeen;
    /** Our deployment's stopped tasks, newest first (read when the verdict is not COMPLETED). */
    private List<Task> ourStopped = List.of();
    private int pollsSinceFailed;

    Watch(String cluster, String service, String deploymentId, Duration timeout) {
      this.cluster = cluster;
      this.service = service;
      this.deploymentId = deploymentId;
      this.started = clock.instant();
      this.deadline = started.plus(timeout == null ? Duration.ofMinutes(15) : timeout);
    }

    Rollout run() {
      while (true) {
        Service svc = describe();
        Rollout verdict = evaluate(svc);
        if (verdict == null && !clock.instant().isBefore(deadline)) {
          verdict = end(Verdict.TIMED_OUT, svc, lastOurs, null, List.of());
        }
        if (verdict != null) {
          return finish(verdict, svc);
        }
        Duration left = Duration.between(clock.instant(), deadline);
        Duration nap = left.compareTo(pollInterval) < 0 ? left : pollInterval;
        try {
          sleeper.sleep(nap);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw BerthException.failed("interrupted while watching deployment " + deploymentId + " of service "
              + service, e);
        }
      }
    }

    private Service describe() {
      DescribeServicesResponse r;
      try {
        r = ecs.describeServices(b -> b.cluster(cluster).services(service));
      } catch (SdkException e) {
        throw AwsErrors.translate("ECS DescribeServices for " + service, e);
      }
      return r.services().stream().findFirst().orElse(null);
    }

    /** The verdict of this poll, or null to keep watching. */
    private Rollout evaluate(Service svc) {
      if (svc == null || !"ACTIVE".equals(svc.status())) {
        String state = svc == null ? "missing" : svc.status();
        return end(Verdict.FAILED, svc, lastOurs, null,
            List.of("service " + service + " in cluster " + cluster + " is " + state));
      }
      if (deploymentId == null) {
        Deployment primary = primary(svc);
        if (primary == null) {
          return end(Verdict.FAILED, svc, null, null, List.of("service " + service + " has no PRIMARY deployment"));
        }
        deploymentId = primary.id();
      }
      Deployment ours = find(svc, deploymentId);
      printEvents(svc, ours);
      if (ours != null) {
        lastOurs = ours;
        printCounts(ours);
        if ("FAILED".equals(ours.rolloutStateAsString())) {
          oursFailedSeen = true;
        }
      }
      firstPoll = false;
      Deployment primary = primary(svc);
      boolean oursPrimary = ours != null && "PRIMARY".equals(ours.status());

      if (oursPrimary) {
        if (oursFailedSeen) {
          if (rollbackEnabled(svc) && pollsSinceFailed++ < ROLLBACK_GRACE_POLLS) {
            return null; // the circuit breaker's rollback deployment is about to appear
          }
          return end(Verdict.FAILED, svc, ours, null, List.of());
        }
        if (completed(svc, ours)) {
          return end(Verdict.COMPLETED, svc, ours, null, List.of());
        }
        return null;
      }
      // ours is ACTIVE/INACTIVE or gone: something newer is PRIMARY
      Deployment last = ours != null ? ours : lastOurs;
      boolean rolledBack = oursFailedSeen || rollbackEvent();
      String otherId = primary == null ? null : primary.id();
      String otherTd = primary == null ? null : primary.taskDefinition();
      if (last == null && !rolledBack) {
        return end(Verdict.FAILED, svc, null, null, List.of("deployment " + deploymentId
            + " is not one of the deployments of service " + service));
      }
      if (rolledBack) {
        if (otherTd != null && (last == null || !otherTd.equals(last.taskDefinition()))) {
          return end(Verdict.ROLLED_BACK, svc, last, otherId, List.of("the deployment circuit breaker rolled back"
              + " to task definition " + shortTd(otherTd) + " (deployment " + otherId + ")"));
        }
        return end(Verdict.FAILED, svc, last, null, List.of());
      }
      if (primary == null) {
        return null; // between deployments; look again
      }
      return end(Verdict.SUPERSEDED, svc, last, otherId, List.of("deployment " + otherId + " (task definition "
          + shortTd(otherTd) + ") replaced deployment " + deploymentId + " before it finished"));
    }

    private boolean completed(Service svc, Deployment ours) {
      if (svc.deployments().size() != 1) {
        return false;
      }
      int desired = n(ours.desiredCount());
      int running = n(ours.runningCount());
      String state = ours.rolloutStateAsString();
      if (state == null) {
        return running == desired && n(ours.pendingCount()) == 0;
      }
      return "COMPLETED".equals(state) && running == desired;
    }

    private boolean rollbackEnabled(Service svc) {
      return svc.deploymentConfiguration() != null
          && svc.deploymentConfiguration().deploymentCircuitBreaker() != null
          && Boolean.TRUE.equals(svc.deploymentConfiguration().deploymentCircuitBreaker().rollback());
    }

    /** A service event that says our deployment failed or is being rolled back. */
    private boolean rollbackEvent() {
      for (ServiceEvent e : eventsSoFar) {
        String m = e.message() == null ? "" : e.message().toLowerCase(Locale.ROOT);
        if (m.contains(deploymentId.toLowerCase(Locale.ROOT))
            && (m.contains("circuit breaker") || m.contains("deployment failed") || m.contains("rolling back"))) {
          return true;
        }
      }
      return false;
    }

    private void printEvents(Service svc, Deployment ours) {
      List<ServiceEvent> fresh = new ArrayList<>();
      // events of our deployment's lifetime; for a deployment that started long before this watch (a call
      // that changed nothing follows the current one), only what happens from now on
      Instant cutoff = ours != null && ours.createdAt() != null ? ours.createdAt() : started;
      if (cutoff.isBefore(started.minus(OLD_DEPLOYMENT))) {
        cutoff = started.minus(CLOCK_SKEW);
      }
      for (ServiceEvent e : svc.events()) {
        String key = e.id() != null ? e.id() : e.createdAt() + " " + e.message();
        if (!seenEvents.add(key)) {
          continue;
        }
        if (firstPoll && e.createdAt() != null && e.createdAt().isBefore(cutoff)) {
          continue; // history from before this deployment
        }
        fresh.add(e);
      }
      fresh.sort(Comparator.comparing(ServiceEvent::createdAt, Comparator.nullsFirst(Comparator.naturalOrder())));
      for (ServiceEvent e : fresh) {
        eventsSoFar.add(e);
        progress.info("event: " + e.message());
      }
    }

    private void printCounts(Deployment d) {
      String line = "deployment " + d.id() + " (" + shortTd(d.taskDefinition()) + "): " + n(d.runningCount())
          + "/" + n(d.desiredCount()) + " running, " + n(d.pendingCount()) + " pending"
          + (n(d.failedTasks()) > 0 ? ", " + d.failedTasks() + " failed" : "")
          + ", rolloutState " + d.rolloutStateAsString();
      if (!line.equals(lastCounts)) {
        lastCounts = line;
        progress.info(line);
      }
    }

    private Rollout end(Verdict v, Service svc, Deployment ours, String other, List<String> extra) {
      Deployment d = ours != null ? ours : lastOurs;
      return new Rollout(v, deploymentId,
          d == null ? null : d.rolloutStateAsString(),
          d == null ? null : d.rolloutStateReason(),
          d == null ? null : d.taskDefinition(),
          d == null ? 0 : n(d.desiredCount()),
          d == null ? 0 : n(d.runningCount()),
          other, extra);
    }

    private Rollout finish(Rollout r, Service svc) {
      if (r.verdict() == Verdict.COMPLETED) {
        progress.info("rollout COMPLETED: deployment " + r.deploymentId() + ", " + r.runningCount() + "/"
            + r.desiredCount() + " running");
        return r;
      }
      List<String> reasons = new ArrayList<>(r.reasons());
      if (r.verdict() == Verdict.TIMED_OUT) {
        reasons.add(0, "no verdict within " + dev.berth.report.Durations.format(Duration.between(started, deadline)) + ": " + r.runningCount()
            + " of " + r.desiredCount() + " tasks running, rolloutState " + r.rolloutState());
      }
      if (r.taskDefinitionArn() != null || r.deploymentId() != null) {
        reasons.addAll(stoppedTaskReasons(r));
      }
      if (svc != null) {
        reasons.addAll(targetHealthReasons(svc));
      }
      List<String> kept = new ArrayList<>(reasons.size() > MAX_REASONS ? reasons.subList(0, MAX_REASONS) : reasons);
      // the containers' own words last, next to the stop reasons and target health they explain
      List<TaskLogs.Lines> logs = taskLogs == null || ourStopped.isEmpty() ? List.of()
          : taskLogs.of(logTasks(ourStopped));
      logs.forEach(l -> kept.add(l.render()));
      progress.warn("rollout " + r.verdict() + ": deployment " + r.deploymentId()
          + (r.rolloutStateReason() == null ? "" : " (" + r.rolloutStateReason() + ")"));
      for (String reason : kept) {
        progress.warn("  " + reason);
      }
      return new Rollout(r.verdict(), r.deploymentId(), r.rolloutState(), r.rolloutStateReason(),
          r.taskDefinitionArn(), r.desiredCount(), r.runningCount(), r.supersededBy(), kept, logs);
    }

    /** The newest stopped task of each distinct stop reason, at most {@value #MAX_LOG_TASKS}. */
    private List<Task> logTasks(List<Task> stoppedNewestFirst) {
      Map<String, Task> byReason = new LinkedHashMap<>();
      for (Task t : stoppedNewestFirst) {
        byReason.putIfAbsent(describeStop(t), t);
      }
      return byReason.values().stream().limit(MAX_LOG_TASKS).toList();
    }

    /** Distinct reasons of our deployment's stopped tasks, most frequent first, with their counts. */
    private List<String> stoppedTaskReasons(Rollout r) {
      List<String> taskArns;
      List<Task> tasks;
      try {
        taskArns = ecs.listTasks(b -> b.cluster(cluster).serviceName(service).desiredStatus(DesiredStatus.STOPPED)
            .maxResults(100)).taskArns();
        if (taskArns.isEmpty()) {
          return List.of();
        }
        tasks = ecs.describeTasks(b -> b.cluster(cluster).tasks(taskArns)).tasks();
      } catch (SdkException e) {
        return List.of("could not read the stopped tasks: " + AwsErrors.translate("ECS ListTasks/DescribeTasks", e)
            .getMessage());
      }
      Map<String, Integer> counts = new LinkedHashMap<>();
      ourStopped = tasks.stream()
          .filter(t -> Objects.equals(t.startedBy(), r.deploymentId())
              || (r.taskDefinitionArn() != null && r.taskDefinitionArn().equals(t.taskDefinitionArn())))
          .sorted(Comparator.comparing(Task::stoppedAt, Comparator.nullsLast(Comparator.reverseOrder())))
          .toList();
      ourStopped.forEach(t -> counts.merge(describeStop(t), 1, Integer::sum));
      List<String> out = new ArrayList<>();
      counts.entrySet().stream()
          .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
          .forEach(e -> out.add((e.getValue() == 1 ? "1 task" : e.getValue() + " tasks") + " stopped: " + e.getKey()));
      return out;
    }

    private String describeStop(Task t) {
      StringBuilder s = new StringBuilder(t.stoppedReason() == null ? "no reason given" : t.stoppedReason());
      if (t.stopCodeAsString() != null && (t.stoppedReason() == null || !t.stoppedReason().contains(t.stopCodeAsString()))) {
        s.append(" [").append(t.stopCodeAsString()).append(']');
      }
      Set<String> parts = new LinkedHashSet<>();
      for (Container c : t.containers()) {
        if (c.exitCode() != null) {
          parts.add("container " + c.name() + " exit code " + c.exitCode()
              + (c.reason() == null ? "" : " (" + c.reason() + ")"));
        } else if (c.reason() != null && !s.toString().contains(c.reason())) {
          parts.add("container " + c.name() + ": " + c.reason());
        }
      }
      if (!parts.isEmpty()) {
        s.append("; ").append(String.join("; ", parts));
      }
      return s.toString();
    }

    /** Targets that are not healthy in the service's target groups, with reason codes. */
    private List<String> targetHealthReasons(Service svc) {
      Set<String> groups = new LinkedHashSet<>();
      for (LoadBalancer lb : svc.loadBalancers()) {
        if (lb.targetGroupArn() != null) {
          groups.add(lb.targetGroupArn());
        }
      }
      ElasticLoadBalancingV2Client elb = groups.isEmpty() ? null : RolloutWatcher.this.elb.get();
      if (elb == null) {
        return List.of();
      }
      List<String> out = new ArrayList<>();
      for (String tg : groups) {
        List<TargetHealthDescription> targets;
        try {
          targets = elb.describeTargetHealth(b -> b.targetGroupArn(tg)).targetHealthDescriptions();
        } catch (SdkException e) {
          out.add("could not read the health of target group " + targetGroupName(tg) + ": "
              + AwsErrors.translate("ELB DescribeTargetHealth", e).getMessage());
          continue;
        }
        for (TargetHealthDescription t : targets) {
          if (t.targetHealth() == null || t.targetHealth().state() == TargetHealthStateEnum.HEALTHY) {
            continue;
          }
          String where = t.target() == null ? "?" : t.target().id() + (t.target().port() == null ? "" : ":" + t.target().port());
          String state = t.targetHealth().stateAsString();
          String reason = t.targetHealth().reasonAsString();
          String desc = t.targetHealth().description();
          out.add("target group " + targetGroupName(tg) + ": target " + where + " " + state
              + (reason == null ? "" : " (" + reason + (desc == null ? "" : ": " + desc) + ")"));
        }
      }
      return out;
    }
  }

  private static Deployment primary(Service svc) {
    return svc.deployments().stream().filter(d -> "PRIMARY".equals(d.status())).findFirst().orElse(null);
  }

  private static Deployment find(Service svc, String id) {
    return svc.deployments().stream().filter(d -> id.equals(d.id())).findFirst().orElse(null);
  }

  private static int n(Integer i) {
    return i == null ? 0 : i;
  }

  /** {@code family:revision} of a task definition ARN. */
  static String shortTd(String arn) {
    if (arn == null) {
      return "?";
    }
    int slash = arn.lastIndexOf('/');
    return slash < 0 ? arn : arn.substring(slash + 1);
  }

  /** {@code name} of a target group ARN ({@code ...:targetgroup/name/id}); other text as it is. */
  public static String targetGroupName(String arn) {
    int i = arn.indexOf(":targetgroup/");
    if (i < 0) {
      return arn;
    }
    String rest = arn.substring(i + ":targetgroup/".length());
    int slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }

}
