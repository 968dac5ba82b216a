package dev.berth.image;

import dev.berth.report.SecretMasker;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A user name and password (or token) for a registry. {@code toString} never shows the password. */
public record RegistryCredentials(String username, String password) {
  /** The value of a Basic Authorization header. */
  public String basicHeader() {
    String encoded = Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    // the header's value is as secret as the password: masked wherever a registry or a log echoes it
    SecretMasker.global().register(encoded);
    return "Basic " + encoded;
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
