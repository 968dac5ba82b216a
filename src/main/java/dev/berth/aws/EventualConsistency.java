package dev.berth.aws;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * Retries exactly the refusals AWS gives for a while right after something was created, which the SDK does not
 * retry (they are HTTP 400s). Each is documented by AWS:
 *
 * <ul>
 *   <li>EC2 {@code InvalidGroup.NotFound} for a security group just created ("Eventual consistency in the
 *       Amazon EC2 API", EC2 developer guide: "if you run a command to modify or describe the resource that you
 *       just created, its ID might not have propagated");
 *   <li>Application Auto Scaling {@code ObjectNotFoundException} from PutScalingPolicy right after
 *       RegisterScalableTarget (API reference, ObjectNotFoundException: "thrown if the scalable target ... does
 *       not exist");
 *   <li>ECS {@code InvalidParameterException} "Unable to assume the service linked role" from the first
 *       CreateCluster/CreateService of an account, while ECS creates AWSServiceRoleForECS (ECS developer guide,
 *       "Using service-linked roles for Amazon ECS").
 * </ul>
 *
 * Anything else is thrown at once. Attempts are bounded ({@link #DEFAULT_ATTEMPTS}, backoff doubling from
 * {@link #DEFAULT_BACKOFF} up to 10 s: about 40 s in all), and every retry is said through the listener, so
 * a slow run explains itself.
 */
public final class EventualConsistency {
  public static final int DEFAULT_ATTEMPTS = 6;
  public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  /** Sleeps; injected so tests never sleep. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final int attempts;
  private final Duration backoff;
  private final Sleeper sleeper;

  public EventualConsistency(int attempts, Duration backoff, Sleeper sleeper) {
    this.attempts = Math.max(1, attempts);
    this.backoff = backoff;
    this.sleeper = sleeper;
  }

  /** Defaults, with {@code BERTH_AWS_CONSISTENCY_BACKOFF} (e.g. 10ms) as the first backoff when set. */
  static EventualConsistency fromEnv(Map<String, String> env) {
    Duration b = AwsClients.duration(env, "BERTH_AWS_CONSISTENCY_BACKOFF");
    return new EventualConsistency(DEFAULT_ATTEMPTS, b == null ? DEFAULT_BACKOFF : b, d -> Thread.sleep(d.toMillis()));
  }

  /** What is missing when the exception is one of the refusals above, else null. */
  public static String notYetVisible(Throwable e) {
    if (!(e instanceof AwsServiceException ase) || ase.awsErrorDetails() == null) {
      return null;
    }
    String code = ase.awsErrorDetails().errorCode();
    String message = String.valueOf(ase.awsErrorDetails().errorMessage());
    if ("InvalidGroup.NotFound".equals(code)) {
      return "the security group just created";
    }
    if ("ObjectNotFoundException".equals(code) && message.toLowerCase(Locale.ROOT).contains("scalable target")) {
      return "the scalable target just registered";
    }
    if ("InvalidParameterException".equals(code) && message.contains("Unable to assume the service linked role")) {
      return "the ECS service-linked role (AWSServiceRoleForECS, created on the account's first use of ECS)";
    }
    return null;
  }

  /**
   * Runs {@code call}; when it fails with one of the refusals above, waits and tries again, at most
   * {@code attempts} times in all, telling {@code say} each time. The last refusal is thrown as it came.
   */
  public <T> T call(String what, Supplier<T> call, Consumer<String> say) {
    Duration wait = backoff;
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (AwsServiceException e) {
        String missing = notYetVisible(e);
        if (missing == null || attempt >= attempts) {
          throw e;
        }
        say.accept(what + ": AWS does not see " + missing + " yet (" + e.awsErrorDetails().errorCode()
            + "; eventual consistency); retrying in " + format(wait) + " (attempt " + (attempt + 1) + " of "
            + attempts + ")");
        try {
          sleeper.sleep(wait);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
        wait = wait.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait.multipliedBy(2);
      }
    }
  }

  private static String format(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
