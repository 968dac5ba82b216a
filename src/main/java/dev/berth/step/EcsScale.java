package dev.berth.step;

import dev.berth.aws.AwsClients;
import dev.berth.aws.AwsErrors;
import dev.berth.report.BerthException;
import dev.berth.report.Change;
import dev.berth.report.Plan;
import dev.berth.report.InvalidInputException;
import dev.berth.report.Progress;
import dev.berth.report.Violation;
import dev.berth.rollout.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.applicationautoscaling.ApplicationAutoScalingClient;
import software.amazon.awssdk.services.applicationautoscaling.model.ScalableDimension;
import software.amazon.awssdk.services.applicationautoscaling.model.ScalableTarget;
import software.amazon.awssdk.services.applicationautoscaling.model.ServiceNamespace;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Deployment;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.ServiceEvent;

/**
 * Sets a service's desired count, keeping it consistent with its Application Auto Scaling range: a count
 * outside the registered range is refused (autoscaling would silently undo it) unless the call moves the
 * range too. Optionally waits until the service runs the desired count.
 */
public final class EcsScale {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(6);

  /**
   * What to do. {@code autoscalingMin}/{@code autoscalingMax} are null when the range is left as it is.
   */
  public record Request(String cluster, String service, Integer desiredCount, Integer autoscalingMin,
      Integer autoscalingMax, boolean waitForRunning, Duration timeout, boolean dryRun) {
    public Request {
      timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    }

    /** A real run (not a dry run). */
    public Request(String cluster, String service, Integer desiredCount, Integer autoscalingMin,
        Integer autoscalingMax, boolean waitForRunning, Duration timeout) {
      this(cluster, service, desiredCount, autoscalingMin, autoscalingMax, waitForRunning, timeout, false);
    }
  }

  /** A registered autoscaling range. */
  public record Autoscaling(int min, int max) {
    @Override
    public String toString() {
      return min + "-" + max;
    }
  }

  /**
   * What happened; {@code autoscaling} is null when no scalable target is registered for the service.
   * {@code changes} lists what this run changed, or with {@code dryRun} (true, else absent) what it would change;
   * in a dry run {@code changed} is false, {@code desiredCount} and {@code autoscaling} are the values a real
   * run would set, and nothing waits.
   */
  public record Result(String clusterArn, String serviceArn, int previousDesiredCount, int desiredCount,
      int runningCount, int pendingCount, Autoscaling autoscaling, Autoscaling previousAutoscaling,
      boolean changed, boolean waited, Boolean dryRun, List<Change> changes) {}

  private final EcsClient ecs;
  private final Supplier<ApplicationAutoScalingClient> autoscaling;
  private final Progress progress;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Duration pollInterval;

  public EcsScale(EcsClient ecs, Supplier<ApplicationAutoScalingClient> autoscaling, Progress progress, Clock clock,
      Sleeper sleeper, Duration pollInterval) {
    this.ecs = Objects.requireNonNull(ecs);
    this.autoscaling = Objects.requireNonNull(autoscaling);
    this.progress = Objects.requireNonNull(progress);
    this.clock = Objects.requireNonNull(clock);
    this.sleeper = Objects.requireNonNull(sleeper);
    this.pollInterval = Objects.requireNonNull(pollInterval);
  }

  /** With the real clock and {@link Thread#sleep}. */
  public static EcsScale create(AwsClients aws, Progress progress) {
    return new EcsScale(aws.ecs(), aws::autoscaling, progress, Clock.systemUTC(),
        Sleeper.system(), DEFAULT_POLL_INTERVAL);
  }

  public Result run(Request request) throws InterruptedException {
    validate(request);
    Instant started = clock.instant();
    // given names (not ARNs) are the autoscaling resource's: its range is read while the service is looked up
    String named = isName(request.cluster()) && isName(request.service())
        ? DeployAutoscaling.resourceId(request.cluster(), request.service()) : null;
    CompletableFuture<ScalableTarget> early = named == null ? null
        : BackgroundReads.start("berth-autoscaling-range", () -> registeredTarget(named));
    EcsServiceLookup.Found found = EcsServiceLookup.find(ecs, request.cluster(), request.service());
    Service service = found.service();
    String resourceId = found.scalableResourceId();
    int target = request.desiredCount();
    int previousDesired = service.desiredCount();

    ScalableTarget registered = early != null && named.equals(resourceId) ? BackgroundReads.await(early)
        : registeredTarget(resourceId);
    Autoscaling previousRange = registered == null ? null
        : new Autoscaling(registered.minCapacity(), registered.maxCapacity());
    Autoscaling newRange = newRange(request, previousRange, found.serviceName());

    // the plan: the range first (a count outside the old range would be undone), then the count
    Plan.Builder planned = Plan.builder();
    if (newRange != null && !newRange.equals(previousRange)) {
      List<Change.Field> fields = List.of(
          Change.Field.of("minCapacity", previousRange == null ? null : previousRange.min(), newRange.min()),
          Change.Field.of("maxCapacity", previousRange == null ? null : previousRange.max(), newRange.max()));
      planned.add(previousRange == null
          ? Change.create("application-autoscaling:scalable-target", resourceId, fields)
          : Change.updateIfChanged("application-autoscaling:scalable-target", resourceId, fields));
    }
    if (previousDesired != target) {
      planned.add(Change.update("ecs:service", found.clusterName() + "/" + found.serviceName(),
          List.of(Change.Field.of("desiredCount", previousDesired, target))));
    }
    Plan plan = planned.build();
    if (request.dryRun()) {
      return new Result(service.clusterArn(), service.serviceArn(), previousDesired, target,
          n(service.runningCount()), n(service.pendingCount()), newRange, previousRange, false, false, true,
          plan.changes());
    }

    if (newRange != null && !newRange.equals(previousRange)) {
      try {
        autoscaling.get().registerScalableTarget(b -> b.serviceNamespace(ServiceNamespace.ECS)
            .scalableDimension(ScalableDimension.ECS_SERVICE_DESIRED_COUNT).resourceId(resourceId)
            .minCapacity(newRange.min()).maxCapacity(newRange.max()));
      } catch (SdkException e) {
        throw AwsErrors.translate("Application Auto Scaling RegisterScalableTarget for " + resourceId, e);
      }
      progress.info(previousRange == null ? "registered autoscaling range " + newRange
          : "autoscaling range " + previousRange + " -> " + newRange);
    }

    if (previousDesired != target) {
      try {
        service = ecs.updateService(b -> b.cluster(found.cluster().clusterArn()).service(found.serviceName())
            .desiredCount(target)).service();
      } catch (SdkException e) {
        throw AwsErrors.translate("ECS UpdateService for " + found.serviceName(), e);
      }
      progress.info("desired count " + previousDesired + " -> " + target);
    } else {
      progress.info("desired count is already " + target);
    }

    if (request.waitForRunning()) {
      service = waitForRunning(found, started, request.timeout(), previousDesired, newRange, previousRange, plan);
    }
    return result(service, previousDesired, newRange, previousRange, plan, request.waitForRunning());
  }

  private static void validate(Request r) {
    List<Violation> v = new ArrayList<>();
    if (r.cluster() == null || r.cluster().isBlank()) {
      v.add(Violation.error("--cluster", "is required"));
    }
    if (r.service() == null || r.service().isBlank()) {
      v.add(Violation.error("--service", "is required"));
    }
    if (r.desiredCount() == null) {
      v.add(Violation.error("--desired-count", "is required"));
    } else if (r.desiredCount() < 0) {
      v.add(Violation.error("--desired-count", "must be 0 or more, not " + r.desiredCount()));
    }
    if (r.autoscalingMin() != null && r.autoscalingMin() < 0) {
      v.add(Violation.error("--autoscaling-min", "must be 0 or more, not " + r.autoscalingMin()));
    }
    if (r.autoscalingMax() != null && r.autoscalingMax() < 0) {
      v.add(Violation.error("--autoscaling-max", "must be 0 or more, not " + r.autoscalingMax()));
    }
    if (r.autoscalingMin() != null && r.autoscalingMax() != null && r.autoscalingMin() > r.autoscalingMax()) {
      v.add(Violation.error("--autoscaling-min", "(" + r.autoscalingMin() + ") must not be above --autoscaling-max ("
          + r.autoscalingMax() + ")"));
    }
    if (r.timeout().isNegative() || r.timeout().isZero()) {
      v.add(Violation.error("--timeout", "must be positive, not " + r.timeout()));
    }
    InvalidInputException.throwIfAny(v);
  }

  /** A cluster or service name, not an ARN (whose names are known only from the service found). */
  private static boolean isName(String s) {
    return s != null && !s.startsWith("arn:") && s.indexOf('/') < 0;
  }

  private ScalableTarget registeredTarget(String resourceId) {
    try {
      return autoscaling.get().describeScalableTargets(b -> b.serviceNamespace(ServiceNamespace.ECS)
              .scalableDimension(ScalableDimension.ECS_SERVICE_DESIRED_COUNT).resourceIds(resourceId))
          .scalableTargets().stream().findFirst().orElse(null);
    } catch (SdkException e) {
      throw AwsErrors.translate("Application Auto Scaling DescribeScalableTargets for " + resourceId, e);
    }
  }

  /** The range in force after this call (null: none registered, none asked for); refuses what cannot hold. */
  private static Autoscaling newRange(Request r, Autoscaling registered, String service) {
    Integer min = r.autoscalingMin();
    Integer max = r.autoscalingMax();
    int desired = r.desiredCount();
    boolean moving = min != null || max != null;
    List<Violation> v = new ArrayList<>();
    if (registered == null) {
      if (!moving) {
        return null;
      }
      if (min == null || max == null) {
        v.add(Violation.error(min == null ? "--autoscaling-min" : "--autoscaling-max", "service '" + service
            + "' has no registered autoscaling range; give both --autoscaling-min and --autoscaling-max to "
            + "register one"));
        throw new InvalidInputException(v);
      }
    }
    int newMin = min != null ? min : registered.min();
    int newMax = max != null ? max : registered.max();
    if (newMin > newMax) {
      v.add(Violation.error(min != null ? "--autoscaling-min" : "--autoscaling-max", "the range would become "
          + newMin + "-" + newMax + " (registered range of service '" + service + "' is " + registered
          + "); give both bounds"));
    } else if (desired < newMin || desired > newMax) {
      if (!moving) {
        v.add(Violation.error("--desired-count", desired + " is outside the registered autoscaling range "
            + registered + " (min " + registered.min() + ", max " + registered.max() + ") of service '" + service
            + "', and Application Auto Scaling would undo it; move the range in the same call with "
            + (desired > newMax ? "--autoscaling-max " + desired : "--autoscaling-min " + desired)));
      } else {
        v.add(Violation.error("--desired-count", desired + " is outside the autoscaling range " + newMin + "-"
            + newMax + " this call would set for service '" + service + "'"
            + (registered == null ? "" : " (registered: " + registered + ")")));
      }
    }
    InvalidInputException.throwIfAny(v);
    return new Autoscaling(newMin, newMax);
  }

  /**
   * Polls DescribeServices until the service runs what it is asked to: running = desired on the service, the
   * PRIMARY deployment at its own desired count, and no other deployment still running tasks. If something else
   * (Application Auto Scaling) changes the desired count meanwhile, that count is waited for, with a warning.
   */
  private Service waitForRunning(EcsServiceLookup.Found found, Instant start, Duration timeout,
      int previousDesired, Autoscaling range, Autoscaling previousRange, Plan plan)
      throws InterruptedException {
    Instant deadline = clock.instant().plus(timeout);
    Set<String> seenEvents = new HashSet<>();
    found.service().events().forEach(e -> seenEvents.add(e.id()));
    String lastState = null;
    Integer expected = null;
    while (true) {
      Service s = EcsServiceLookup.describe(ecs, found.cluster().clusterArn(), found.serviceName());
      if (s == null) {
        throw BerthException.failed("service '" + found.serviceName() + "' disappeared while waiting for it");
      }
      for (ServiceEvent e : reversed(s.events())) {
        if (seenEvents.add(e.id()) && (e.createdAt() == null || !e.createdAt().isBefore(start))) {
          progress.info("event: " + e.message());
        }
      }
      if (expected != null && expected != s.desiredCount()) {
        progress.warn("desired count changed to " + s.desiredCount() + " while waiting (Application Auto Scaling?)");
      }
      expected = s.desiredCount();
      String state = state(s);
      if (!state.equals(lastState)) {
        progress.info(state);
        lastState = state;
      }
      if (isRunningAsDesired(s)) {
        return s;
      }
      Instant now = clock.instant();
      if (!now.isBefore(deadline)) {
        throw BerthException.timedOut("service '" + found.serviceName() + "' did not reach " + s.desiredCount()
                + " running tasks within " + dev.berth.report.Durations.format(timeout) + " (" + state + ")")
            .withResult(result(s, previousDesired, range, previousRange, plan, true));
      }
      Duration left = Duration.between(now, deadline);
      sleeper.sleep(left.compareTo(pollInterval) < 0 ? left : pollInterval);
    }
  }

  /** The completion rule; see {@link #waitForRunning}. */
  static boolean isRunningAsDesired(Service s) {
    if (s.runningCount() == null || s.desiredCount() == null || !s.runningCount().equals(s.desiredCount())) {
      return false;
    }
    for (Deployment d : s.deployments()) {
      if ("PRIMARY".equals(d.status())) {
        if (d.runningCount() != null && !d.runningCount().equals(d.desiredCount())) {
          return false;
        }
      } else if (d.runningCount() != null && d.runningCount() > 0) {
        return false;
      }
    }
    return true;
  }

  private static String state(Service s) {
    StringBuilder b = new StringBuilder("running " + s.runningCount() + " of " + s.desiredCount());
    if (s.pendingCount() != null && s.pendingCount() > 0) {
      b.append(", pending ").append(s.pendingCount());
    }
    for (Deployment d : s.deployments()) {
      // the service's counts can agree while its PRIMARY deployment's do not; say which one is waited for
      if ("PRIMARY".equals(d.status()) && d.runningCount() != null && !d.runningCount().equals(d.desiredCount())
          && !(d.runningCount().equals(s.runningCount()) && java.util.Objects.equals(d.desiredCount(), s.desiredCount()))) {
        b.append(", PRIMARY deployment ").append(d.id()).append(" running ").append(d.runningCount())
            .append(" of ").append(d.desiredCount());
      }
    }
    long others = s.deployments().stream().filter(d -> !"PRIMARY".equals(d.status())).count();
    if (others > 0) {
      b.append(", ").append(others).append(others == 1 ? " older deployment" : " older deployments")
          .append(" still present");
    }
    return b.toString();
  }

  private static <T> List<T> reversed(List<T> list) {
    List<T> r = new ArrayList<>(list);
    java.util.Collections.reverse(r);
    return r;
  }


  private static Result result(Service s, int previousDesired, Autoscaling range, Autoscaling previousRange,
      Plan plan, boolean waited) {
    return new Result(s.clusterArn(), s.serviceArn(), previousDesired, s.desiredCount(),
        n(s.runningCount()), n(s.pendingCount()), range, previousRange, !plan.isEmpty(), waited, null,
        plan.changes());
  }

  private static int n(Integer i) {
    return i == null ? 0 : i;
  }
}
