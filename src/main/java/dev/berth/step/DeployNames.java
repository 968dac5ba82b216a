package dev.berth.step;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Names of the load-balancing resources berth creates for a service, derived from cluster and service so a
 * rerun finds them again. ALB and target-group names are unique per account and region and allow 32
 * characters of {@code [A-Za-z0-9-]}, neither starting nor ending with a hyphen (ELBv2 API reference,
 * CreateLoadBalancer and CreateTargetGroup, Name). Joining cluster and service with a hyphen is ambiguous
 * ({@code prod} + {@code api-web} and {@code prod-api} + {@code web} both give {@code prod-api-web}), so every
 * name carries a short hash of the exact cluster/service pair; the readable part is shortened to fit.
 * Ownership is decided by tags, never by the name alone.
 */
final class DeployNames {
  static final int MAX = 32;
  static final int MAX_GROUP = 255;
  private final String base;
  private final String hash;

  DeployNames(String cluster, String service) {
    this.base = sanitize(cluster + "-" + service);
    this.hash = sha256(cluster + "/" + service).substring(0, 6);
  }

  String loadBalancer() {
    return fit("-alb");
  }

  String targetGroup() {
    return fit("-tg");
  }

  /** The ALB's security group (group names allow 255 characters). */
  String loadBalancerSecurityGroup() {
    return fit("-alb-sg", MAX_GROUP);
  }

  /** berth's own security group of the tasks, the one the ALB may reach. */
  String serviceSecurityGroup() {
    return fit("-svc-sg", MAX_GROUP);
  }

  String fit(String suffix) {
    return fit(suffix, MAX);
  }

  private String fit(String suffix, int max) {
    int keep = Math.min(base.length(), max - suffix.length() - hash.length() - 1);
    String head = base.substring(0, keep).replaceAll("-+$", "");
    return head + "-" + hash + suffix;
  }

  static String sanitize(String s) {
    String t = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("-{2,}", "-")
        .replaceAll("^-+", "").replaceAll("-+$", "");
    if (t.startsWith("internal-")) {
      t = "svc-" + t;
    }
    return t.isEmpty() ? "berth" : t;
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
