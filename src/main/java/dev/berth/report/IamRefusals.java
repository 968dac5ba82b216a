package dev.berth.report;

import java.util.Set;

/**
 * A refused permission names the IAM action it lacks. AWS's message often says it ("... is not authorized to
 * perform: ecs:CreateService ..."), but not always: EC2's UnauthorizedOperation may say only "You are not
 * authorized to perform this operation", and a 403 whose body cannot be read (ECR answers a refused HEAD without
 * one) has no message at all. One rule for the SDK's calls, ECR's API and the registry API.
 */
public final class IamRefusals {
  /** The error codes of a refused permission (as opposed to refused credentials, which no policy change fixes). */
  public static final Set<String> PERMISSION_CODES = Set.of("AccessDenied", "AccessDeniedException",
      "UnauthorizedOperation", "AuthorizationError");

  private IamRefusals() {}

  /** A permission refusal: one of {@link #PERMISSION_CODES}, or a 403 without a readable code. */
  public static boolean isPermissionRefusal(String code, int status) {
    return code == null || code.isBlank() ? status == 403 : PERMISSION_CODES.contains(code);
  }

  /** The message with {@code (IAM action ACTION)} appended unless it names the action already. */
  public static String naming(String message, String action) {
    if (message != null && message.contains(action)) {
      return message;
    }
    return (message == null || message.isBlank() ? "access denied" : message.strip()) + " (IAM action " + action + ")";
  }
}
