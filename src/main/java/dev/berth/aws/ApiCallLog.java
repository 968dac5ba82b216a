package dev.berth.aws;

import dev.berth.report.IamRefusals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Records every AWS API call as {@code service:Operation} (the IAM action name), in memory and, when the
 * environment names a file in {@code BERTH_API_LOG}, appended to that file. Used by the least-privilege
 * check and the API-economy benchmark.
 */
public final class ApiCallLog implements ExecutionInterceptor {
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final Path file;
  private final java.util.concurrent.atomic.AtomicReference<String> failure = new java.util.concurrent.atomic.AtomicReference<>();

  public ApiCallLog(Path file) {
    this.file = file;
  }

  /**
   * Why FILE cannot be appended to (checked before a step's first call, so that a log that cannot be written
   * stops nothing half way); null when it can. Creates FILE when it does not exist, as the first append would.
   */
  public static String problem(Path file) {
    if (file == null) {
      return null;
    }
    if (Files.isDirectory(file)) {
      return file + " is a folder, not a file";
    }
    try (var out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      return null;
    } catch (java.nio.file.NoSuchFileException e) {
      return "cannot append to " + file + ": no such folder " + file.toAbsolutePath().getParent();
    } catch (java.nio.file.AccessDeniedException e) {
      return "cannot append to " + file + ": permission denied";
    } catch (IOException e) {
      return "cannot append to " + file + ": " + e.getMessage();
    }
  }

  /**
   * The first append that failed during the run, or null. A failed append never stops the call it records (a
   * deploy is not left half way for a log line); the step reports it when it ends.
   */
  public String failure() {
    return failure.get();
  }

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
    String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    record(iamPrefix(service) + ":" + operation);
  }

  /** Records a call made without the SDK (berth's own light clients), as {@code service:Operation}. */
  public void record(String action) {
    calls.add(action);
    if (file != null) {
      try {
        Files.writeString(file, action + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      } catch (IOException e) {
        failure.compareAndSet(null, "cannot append " + action + " to BERTH_API_LOG " + file + ": " + e.getMessage());
      }
    }
  }

  /**
   * Names the call in client-side failures (connection reset, timeouts), whose SDK message says neither the
   * service nor the operation: "ecs:DescribeServices: Unable to execute HTTP request: Connection reset". The
   * exception keeps its type. Service errors already carry the service and code and are left alone.
   */
  @Override
  public Throwable modifyException(Context.FailedExecution context, ExecutionAttributes attributes) {
    Throwable t = context.exception();
    String action = iamPrefix(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME)) + ":"
        + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    if (t instanceof AwsServiceException e) {
      return namingAction(e, action);
    }
    if (t instanceof software.amazon.awssdk.core.exception.SdkClientException e) {
      // the SDK appends " (SDK Attempt Count: n)" to the message it is given; keep one of them
      String message = e.getMessage() == null ? "" : e.getMessage().replaceAll(" \\(SDK Attempt Count: \\d+\\)$", "");
      if (!message.startsWith(action)) {
        return e.toBuilder().message(action + ": " + message).build();
      }
    }
    return t;
  }

  /**
   * A permission refusal names the IAM action it lacks: AWS's message often says it ("... is not authorized to
   * perform: ecs:CreateService ..."), but not always (EC2's UnauthorizedOperation can say only "You are not
   * authorized to perform this operation" and an encoded message; a 403 whose body the SDK cannot read has no
   * message at all). The action is appended when the message lacks it; the exception keeps its type and code.
   * Credential problems (unknown key, bad signature, expired token) are left alone: no policy change fixes them.
   */
  static AwsServiceException namingAction(AwsServiceException e, String action) {
    AwsErrorDetails details = e.awsErrorDetails();
    String message = details == null ? null : details.errorMessage();
    if (!IamRefusals.isPermissionRefusal(details == null ? null : details.errorCode(), e.statusCode())
        || (message != null && message.contains(action))) {
      return e;
    }
    AwsErrorDetails.Builder b = details == null ? AwsErrorDetails.builder() : details.toBuilder();
    return (AwsServiceException) e.toBuilder()
        .awsErrorDetails(b.errorMessage(IamRefusals.naming(message, action)).build()).build();
  }

  public List<String> calls() {
    return List.copyOf(calls);
  }

  /** Maps the SDK's service name to the IAM action prefix. */
  static String iamPrefix(String sdkServiceName) {
    if (sdkServiceName == null) {
      return "unknown";
    }
    switch (sdkServiceName) {
      case "ElasticLoadBalancingV2":
        return "elasticloadbalancing";
      case "ApplicationAutoScaling":
        return "application-autoscaling";
      case "CloudWatchLogs":
        return "logs";
      default:
        return sdkServiceName.toLowerCase(java.util.Locale.ROOT);
    }
  }
}
