package dev.berth.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ecs.model.AccessDeniedException;
import software.amazon.awssdk.services.ecs.model.EcsException;
import org.junit.jupiter.api.Test;

/** The IAM action a refused call lacks, named in the error whatever AWS's own words say. */
class ApiCallLogTest {
  private static AwsServiceException refused(AwsServiceException.Builder b, int status, String code, String message) {
    return b.statusCode(status).awsErrorDetails(AwsErrorDetails.builder().serviceName("ECS").errorCode(code)
        .errorMessage(message).build()).build();
  }

  @Test
  void namingAction_whenTheMessageNamesItAlready_leavesTheErrorAlone() {
    // ECS's AccessDeniedException as AWS words it (IAM user guide, "Access denied error messages")
    AwsServiceException e = refused(AccessDeniedException.builder(), 400, "AccessDeniedException",
        "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecs:CreateService on resource: "
            + "arn:aws:ecs:us-east-2:123456789012:service/gantt/gantt-exporter because no identity-based policy "
            + "allows the ecs:CreateService action");
    assertSame(e, ApiCallLog.namingAction(e, "ecs:CreateService"));
  }

  @Test
  void namingAction_whenEc2SaysOnlyNotAuthorized_appendsTheAction() {
    AwsServiceException e = refused(Ec2Exception.builder(), 403, "UnauthorizedOperation",
        "You are not authorized to perform this operation. Encoded authorization failure message: AbCd");
    AwsServiceException named = ApiCallLog.namingAction(e, "ec2:CreateSecurityGroup");
    assertInstanceOf(Ec2Exception.class, named);
    assertEquals("UnauthorizedOperation", named.awsErrorDetails().errorCode());
    assertEquals("You are not authorized to perform this operation. Encoded authorization failure message: AbCd"
        + " (IAM action ec2:CreateSecurityGroup)", named.awsErrorDetails().errorMessage());
    assertEquals(403, named.statusCode());
  }

  @Test
  void namingAction_whenA403HasNoReadableBody_saysAccessDeniedAndTheAction() {
    AwsServiceException e = refused(EcsException.builder(), 403, null, null);
    AwsServiceException named = ApiCallLog.namingAction(e, "ecs:CreateCluster");
    assertInstanceOf(EcsException.class, named);
    assertEquals("access denied (IAM action ecs:CreateCluster)", named.awsErrorDetails().errorMessage());
    assertEquals("ECS CreateCluster gantt failed: access denied (IAM action ecs:CreateCluster) (HTTP 403)",
        AwsErrors.translate("ECS CreateCluster gantt", named).getMessage());
  }

  @Test
  void namingAction_whenTheCredentialsAreRefused_namesNoAction() {
    AwsServiceException e = refused(EcsException.builder(), 400, "UnrecognizedClientException",
        "The security token included in the request is invalid.");
    assertSame(e, ApiCallLog.namingAction(e, "ecs:CreateCluster"));
  }

  @Test
  void namingAction_whenTheCallFailedForAnotherReason_leavesTheErrorAlone() {
    AwsServiceException e = refused(EcsException.builder(), 400, "InvalidParameterException", "bad");
    assertSame(e, ApiCallLog.namingAction(e, "ecs:CreateService"));
  }
}
