package dev.berth.image;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A user name and password (or token) for a registry. {@code toString} never shows the password. */
public record RegistryCredentials(String username, String password) {
  /** The value of a Basic Authorization header. */
  public String basicHeader() {
    return "Basic " + Base64.getEncoder()
        .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "RegistryCredentials[" + username + ", ***]";
  }

  /**
   * Where a registry client gets its credentials; asked before each authentication, so a source can renew
   * expiring tokens (ECR). Returns null for anonymous access.
   */
  public interface Source {
    RegistryCredentials get();

    /** The registry refused the credentials last handed out: fetch fresh ones next time if possible. */
    default boolean invalidate() {
      return false;
    }

    static Source anonymous() {
      return () -> null;
    }

    static Source of(RegistryCredentials credentials) {
      return () -> credentials;
    }
  }
}
