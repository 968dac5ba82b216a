package dev.berth.image;

import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.CredentialRetriever;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import dev.berth.report.BerthException;
import dev.berth.report.SecretMasker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Registry logins from the Docker client configuration ({@code $DOCKER_CONFIG/config.json}), read by Jib Core's
 * credential retriever: {@code credHelpers} and {@code credsStore} (docker-credential-ecr-login, the desktop
 * stores, pass: run as {@code docker-credential-NAME get}), {@code auths} entries and their
 * {@code identitytoken}. Every secret found is registered with the masker.
 */
public final class RegistryLogins {
  private RegistryLogins() {}

  /** The config file in force: $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
  public static Path configFile(Map<String, String> env) {
    String dir = env.get("DOCKER_CONFIG");
    if (dir != null && !dir.isBlank()) {
      return Path.of(dir, "config.json");
    }
    return Path.of(System.getProperty("user.home"), ".docker", "config.json");
  }

  /**
   * The login for a registry (as written in image references; docker.io for Docker Hub), or empty. An identity
   * token comes back with the user name {@value #IDENTITY_TOKEN_USER}, for the OAuth2 refresh-token exchange.
   * A credential helper that fails is an access error naming it.
   */
  public static Optional<RegistryCredentials> find(Path configFile, String registry, Map<String, String> env) {
    if (configFile == null || !Files.isRegularFile(configFile)) {
      return Optional.empty();
    }
    String jibRegistry = registry.equals(dev.berth.report.ImageReference.DOCKER_HUB) ? "registry-1.docker.io" : registry;
    com.google.cloud.tools.jib.api.ImageReference ref =
        com.google.cloud.tools.jib.api.ImageReference.of(jibRegistry, "berth/login", null);
    CredentialRetriever retriever = CredentialRetrieverFactory.forImage(ref, (LogEvent e) -> { }, env)
        .dockerConfig(configFile);
    Optional<Credential> c;
    try {
      c = retriever.retrieve();
    } catch (com.google.cloud.tools.jib.registry.credentials.CredentialRetrievalException e) {
      throw BerthException.access("cannot read the login for " + registry + " from " + configFile + ": "
          + e.getMessage(), e);
    }
    return c.map(cred -> {
      SecretMasker.global().register(cred.getPassword());
      return new RegistryCredentials(cred.getUsername(), cred.getPassword());
    });
  }

  /** The user name Jib (and Docker) give an identity token: the password is then an OAuth2 refresh token. */
  public static final String IDENTITY_TOKEN_USER = Credential.OAUTH2_TOKEN_USER_NAME;
}
