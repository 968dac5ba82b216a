package dev.berth.step;

import dev.berth.aws.AwsClients;
import dev.berth.aws.AwsErrors;
import dev.berth.report.InvalidInputException;
import dev.berth.report.Progress;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.iam.model.AttachedPolicy;
import software.amazon.awssdk.services.iam.model.EntityAlreadyExistsException;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.Role;

/**
 * The task execution role a definition needs and does not name, found or created the way the ECS console does
 * (ECS developer guide, "Amazon ECS task execution IAM role"): the account's {@code ecsTaskExecutionRole},
 * trusting {@code ecs-tasks.amazonaws.com}, with the AWS managed policy
 * {@code service-role/AmazonECSTaskExecutionRolePolicy} (ECR pull, CloudWatch Logs streams and events).
 *
 * <p>{@link #find} only reads (GetRole, ListAttachedRolePolicies), so it belongs to the validation phase: when
 * the role is missing and creating it is not allowed, the step stops with exit 3 before any change.
 * {@link #create} is the one change, made before the definition is registered.
 */
final class ExecutionRole {
  static final String NAME = "ecsTaskExecutionRole";
  static final String MANAGED_POLICY_PATH = "service-role/AmazonECSTaskExecutionRolePolicy";
  static final String TRUST_POLICY = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"\",\"Effect\":\"Allow\","
      + "\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";

  static final String DESCRIPTION = "Lets ECS pull images and write logs for tasks (created by berth)";

  /** What {@link #find} found: the role's ARN (null when missing) and whether its managed policy is attached. */
  record Found(String arn, boolean policyAttached, boolean berths) {
    boolean exists() {
      return arn != null;
    }
  }

  private ExecutionRole() {}

  /** Looks the account's {@code ecsTaskExecutionRole} up; read-only. */
  static Found find(AwsClients aws) {
    Role role;
    try {
      role = aws.iam().getRole(b -> b.roleName(NAME)).role();
    } catch (NoSuchEntityException e) {
      return new Found(null, false, false);
    } catch (SdkException e) {
      throw AwsErrors.translate("IAM GetRole " + NAME, e);
    }
    return new Found(role.arn(), hasManagedPolicy(aws), DESCRIPTION.equals(role.description()));
  }

  private static boolean hasManagedPolicy(AwsClients aws) {
    try {
      List<AttachedPolicy> attached = aws.iam().listAttachedRolePoliciesPaginator(b -> b.roleName(NAME))
          .attachedPolicies().stream().toList();
      return attached.stream().anyMatch(p -> p.policyArn() != null && p.policyArn().endsWith(":policy/"
          + MANAGED_POLICY_PATH));
    } catch (SdkException e) {
      throw AwsErrors.translate("IAM ListAttachedRolePolicies " + NAME, e);
    }
  }

  /** The exit-3 refusal when the role is missing and berth may not create it. */
  static InvalidInputException refusal(List<String> reasons) {
    return new InvalidInputException("--execution-role-arn", "the task definition needs a task execution role ("
        + String.join("; ", reasons) + "), the account has no " + NAME + " and --no-create-roles forbids"
        + " creating it: pass --execution-role-arn, or let berth create " + NAME);
  }

  /**
   * Creates the role (or finds it created meanwhile) and attaches the managed policy to a role berth created
   * (an interrupted earlier run may have left it without); a role of the user's is used as it is. Returns its ARN. The
   * managed policy's ARN is in the partition of the role's ARN ({@code arn:aws:...}, {@code arn:aws-cn:...}).
   */
  static String create(AwsClients aws, Found found, Progress progress) {
    String arn = found.arn();
    if (arn == null) {
      try {
        arn = aws.iam().createRole(b -> b.roleName(NAME).assumeRolePolicyDocument(TRUST_POLICY)
            .description(DESCRIPTION)).role().arn();
        progress.info("created IAM role " + NAME + " (trusts ecs-tasks.amazonaws.com) for the task definition");
      } catch (EntityAlreadyExistsException e) {
        progress.detail("IAM role " + NAME + " was created meanwhile");
        return create(aws, find(aws), progress);
      } catch (SdkException e) {
        throw AwsErrors.translate("IAM CreateRole " + NAME, e);
      }
    } else if (found.policyAttached()) {
      return arn;
    } else if (!found.berths()) {
      // the user's own role: never changed; it may hold an equivalent policy of its own
      progress.warn("IAM role " + NAME + " does not have " + MANAGED_POLICY_PATH + " attached; tasks fail to"
          + " start unless its own policies allow pulling the image and writing logs");
      return arn;
    }
    String partition = arn.split(":")[1];
    String policy = "arn:" + partition + ":iam::aws:policy/" + MANAGED_POLICY_PATH;
    try {
      aws.iam().attachRolePolicy(b -> b.roleName(NAME).policyArn(policy));
      progress.info("attached " + policy + " to " + NAME);
    } catch (SdkException e) {
      throw AwsErrors.translate("IAM AttachRolePolicy " + NAME, e);
    }
    return arn;
  }
}
