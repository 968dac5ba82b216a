package dev.berth.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

class EventualConsistencyTest {
  private final List<Duration> slept = new ArrayList<>();
  private final List<String> said = new ArrayList<>();
  private final EventualConsistency ec = new EventualConsistency(4, Duration.ofSeconds(1), slept::add);

  /** An AWS error as the SDK builds it from a 400 answer (code and message as the API references give them). */
  static AwsServiceException error(String code, String message) {
    return AwsServiceException.builder().statusCode(400).message(message)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build()).build();
  }

  @Test
  void call_whenScalableTargetNotYetVisible_retriesWithDoublingBackoff_andSaysSo() {
    AtomicInteger calls = new AtomicInteger();
    String r = ec.call("PutScalingPolicy berth-cpu", () -> {
      if (calls.incrementAndGet() < 3) {
        throw error("ObjectNotFoundException", "No scalable target registered for service namespace: ecs, resource"
            + " ID: service/gantt/gantt-exporter, scalable dimension: ecs:service:DesiredCount");
      }
      return "ok";
    }, said::add);
    assertEquals("ok", r);
    assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), slept);
    assertEquals(2, said.size());
    assertTrue(said.get(0).contains("the scalable target just registered") && said.get(0).contains("attempt 2 of 4"),
        said.toString());
  }

  @Test
  void call_whenRefusalOutlastsTheAttempts_throwsTheLastOne() {
    AwsServiceException e = error("InvalidGroup.NotFound", "The security group 'sg-0abc' does not exist");
    AwsServiceException thrown = assertThrows(AwsServiceException.class, () -> ec.call("x", () -> {
      throw e;
    }, said::add));
    assertSame(e, thrown);
    assertEquals(3, slept.size());
  }

  @Test
  void call_whenErrorIsAnyOther_throwsAtOnce() {
    for (AwsServiceException e : List.of(error("InvalidParameterException", "Subnets can not be empty."),
        error("ObjectNotFoundException", "No scaling policy found for service namespace"),
        error("ValidationError", "At least two subnets in two different Availability Zones must be specified"))) {
      assertThrows(AwsServiceException.class, () -> ec.call("x", () -> {
        throw e;
      }, said::add));
    }
    assertEquals(List.of(), slept);
  }

  @Test
  void notYetVisible_whenEcsServiceLinkedRoleMissingOnFirstUse_isRetryable() {
    assertTrue(EventualConsistency.notYetVisible(error("InvalidParameterException", "Unable to assume the service"
        + " linked role. Please verify that the ECS service linked role exists.")).contains("AWSServiceRoleForECS"));
  }
}
