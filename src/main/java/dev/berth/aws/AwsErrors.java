package dev.berth.aws;

import dev.berth.report.BerthException;
import dev.berth.report.Outcome;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns SDK exceptions into berth's typed exceptions: credentials and permission problems become
 * {@link Outcome#ACCESS} (exit 4), call deadlines {@link Outcome#TIMED_OUT} (exit 5), anything else
 * {@link Outcome#FAILED}. The message names the service, the operation and the AWS error code.
 */
public final class AwsErrors {
  private static final Set<String> ACCESS_CODES = Set.of(
      "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnrecognizedClientException",
      "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException",
      "InvalidSignatureException", "MissingAuthenticationToken", "AuthFailure", "IncompleteSignature",
      "RequestExpired", "InvalidAccessKeyId", "OptInRequired");

  private AwsErrors() {}

  /** True when the exception is an access problem (credentials, permissions). */
  public static boolean isAccess(Throwable e) {
    if (e instanceof AwsServiceException ase) {
      String code = ase.awsErrorDetails() == null ? null : ase.awsErrorDetails().errorCode();
      return (code != null && ACCESS_CODES.contains(code)) || ase.statusCode() == 401 || ase.statusCode() == 403;
    }
    return false;
  }

  /** The AWS error code, or null. */
  public static String code(Throwable e) {
    if (e instanceof AwsServiceException ase && ase.awsErrorDetails() != null) {
      return ase.awsErrorDetails().errorCode();
    }
    return null;
  }

  /**
   * Runs {@code call}; an SDK exception it throws becomes berth's typed exception ({@link #translate}) naming
   * {@code what}. The one place a step's AWS calls get their errors translated.
   */
  public static <T> T call(String what, java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (SdkException e) {
      throw translate(what, e);
    }
  }

  /** {@link #call} for a call without a value. */
  public static void run(String what, Runnable call) {
    call(what, () -> {
      call.run();
      return null;
    });
  }

  /**
   * Translates an SDK exception that escaped a step. {@code what} says what was being done
   * ("ECS CreateService for gantt-exporter").
   */
  public static BerthException translate(String what, SdkException e) {
    if (e instanceof ApiCallTimeoutException
        || e instanceof software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException) {
      return new BerthException(Outcome.TIMED_OUT, what + " timed out: " + e.getMessage(), e);
    }
    if (e instanceof AwsServiceException ase) {
      String code = code(ase);
      String message = ase.awsErrorDetails() == null ? ase.getMessage() : ase.awsErrorDetails().errorMessage();
      String service = ase.awsErrorDetails() == null ? null : ase.awsErrorDetails().serviceName();
      if (service != null && !what.toLowerCase(java.util.Locale.ROOT).contains(service.toLowerCase(java.util.Locale.ROOT))) {
        what = what + " (" + service + ")";
      }
      String text = what + " failed: " + (code == null ? "" : code + ": ")
          + (message == null ? "no error message" : message) + " (HTTP " + ase.statusCode() + ")";
      return new BerthException(isAccess(ase) ? Outcome.ACCESS : Outcome.FAILED, text, e);
    }
    if (e instanceof SdkClientException) {
      String msg = String.valueOf(e.getMessage());
      if (msg.startsWith("Unable to load credentials from any of the providers")) {
        // the SDK's chain message is a page long; name what was tried and what to change
        return new BerthException(Outcome.ACCESS, what + " failed: no AWS credentials found (tried environment"
            + " variables, system properties, web identity, the shared profile files, container and instance"
            + " roles); set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, pass --profile NAME, or run where a task or"
            + " instance role is available", e);
      }
      if (msg.contains("credentials") || msg.contains("Unable to load") || msg.contains("profile")) {
        return new BerthException(Outcome.ACCESS, what + " failed: no usable AWS credentials: " + msg
            + " (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, pass --profile, or run where an instance or task"
            + " role is available)", e);
      }
      return new BerthException(Outcome.ACCESS, what + " failed: cannot reach AWS: " + msg, e);
    }
    return new BerthException(Outcome.FAILED, what + " failed: " + e.getMessage(), e);
  }
}
