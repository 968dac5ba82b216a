package dev.berth.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.report.BerthException;
import dev.berth.report.SecretMasker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/** ECR repositories (find, create with settings, lifecycle policy) and in-process registry auth. */
public final class EcrRepositories {
  private final EcrApi ecr;
  private final Clock clock;

  /** A repository as berth needs it. */
  public record Info(String name, String uri, String registryId, boolean immutableTags, boolean scanOnPush) {
    /** The registry host of the repository URI ({@code ACCOUNT.dkr.ecr.REGION.amazonaws.com}). */
    public String host() {
      int slash = uri.indexOf('/');
      return slash < 0 ? uri : uri.substring(0, slash);
    }
  }

  public EcrRepositories(EcrApi ecr, Clock clock) {
    this.ecr = ecr;
    this.clock = clock;
  }

  /** The repository, or empty when it does not exist. Read-only. */
  public Optional<Info> find(String registryId, String name) {
    ObjectNode body = request(registryId);
    body.putArray("repositoryNames").add(name);
    try {
      JsonNode r = ecr.call("DescribeRepositories", body);
      JsonNode repos = r.path("repositories");
      return repos.size() == 0 ? Optional.empty() : Optional.of(info(repos.get(0)));
    } catch (EcrApi.ServiceError e) {
      if ("RepositoryNotFoundException".equals(e.code())) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Creates the repository (scan on push on); when it appeared meanwhile, returns the existing one. */
  public Created create(String registryId, String name, boolean immutableTags) {
    ObjectNode body = request(registryId);
    body.put("repositoryName", name).put("imageTagMutability", immutableTags ? "IMMUTABLE" : "MUTABLE");
    body.putObject("imageScanningConfiguration").put("scanOnPush", true);
    try {
      return new Created(info(ecr.call("CreateRepository", body).path("repository")), true);
    } catch (EcrApi.ServiceError e) {
      if ("RepositoryAlreadyExistsException".equals(e.code())) {
        return new Created(find(registryId, name).orElseThrow(() -> e), false);
      }
      throw e;
    }
  }

  private ObjectNode request(String registryId) {
    ObjectNode body = ecr.object();
    if (registryId != null) {
      body.put("registryId", registryId);
    }
    return body;
  }

  /** The outcome of {@link #create}: the repository and whether this call created it. */
  public record Created(Info info, boolean created) {}

  /** The lifecycle policy text that keeps the N most recent images. */
  public static String keepImagesPolicy(int keep) {
    return "{\"rules\":[{\"rulePriority\":1,\"description\":\"keep the " + keep + " most recent images (berth)\","
        + "\"selection\":{\"tagStatus\":\"any\",\"countType\":\"imageCountMoreThan\",\"countNumber\":" + keep
        + "},\"action\":{\"type\":\"expire\"}}]}";
  }

  /** Puts the keep-N lifecycle policy unless the repository already has exactly it. True when it was put. */
  public boolean ensureKeepImages(String registryId, String name, int keep) {
    String wanted = keepImagesPolicy(keep);
    ObjectNode get = request(registryId).put("repositoryName", name);
    try {
      if (wanted.equals(ecr.call("GetLifecyclePolicy", get).path("lifecyclePolicyText").asText(null))) {
        return false;
      }
    } catch (EcrApi.ServiceError e) {
      if (!"LifecyclePolicyNotFoundException".equals(e.code())) {
        throw e;
      }
    }
    ecr.call("PutLifecyclePolicy", request(registryId).put("repositoryName", name).put("lifecyclePolicyText", wanted));
    return true;
  }

  private static Info info(JsonNode r) {
    String mutability = r.path("imageTagMutability").asText("MUTABLE");
    return new Info(r.path("repositoryName").asText(), r.path("repositoryUri").asText(),
        r.path("registryId").asText(null), mutability.startsWith("IMMUTABLE"),
        r.path("imageScanningConfiguration").path("scanOnPush").asBoolean(false));
  }

  /**
   * Registry credentials from ECR GetAuthorizationToken ({@code AWS:<token>}), fetched in-process and renewed
   * five minutes before they expire. A token whose expiry is already past when fetched (emulators answer
   * 2015) is used for this push and fetched anew only when the registry refuses it.
   */
  public RegistryCredentials.Source auth(String registryId) {
    return new TokenSource(registryId);
  }

  private final class TokenSource implements RegistryCredentials.Source {
    private final String registryId;
    private RegistryCredentials current;
    private Instant renewAt;

    TokenSource(String registryId) {
      this.registryId = registryId;
    }

    @Override
    public synchronized RegistryCredentials get() {
      if (current == null || (renewAt != null && !clock.instant().isBefore(renewAt))) {
        fetch();
      }
      return current;
    }

    @Override
    public synchronized boolean invalidate() {
      current = null;
      return true;
    }

    private void fetch() {
      ObjectNode body = ecr.object();
      if (registryId != null) {
        body.putArray("registryIds").add(registryId);
      }
      JsonNode data = ecr.call("GetAuthorizationToken", body).path("authorizationData").path(0);
      if (data.isMissingNode() || !data.hasNonNull("authorizationToken")) {
        throw BerthException.access("ECR GetAuthorizationToken returned no token", null);
      }
      String encoded = data.get("authorizationToken").asText();
      SecretMasker.global().register(encoded);
      String decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw BerthException.access("ECR GetAuthorizationToken returned a token that is not user:password", null);
      }
      String password = decoded.substring(colon + 1);
      SecretMasker.global().register(password);
      current = new RegistryCredentials(decoded.substring(0, colon), password);
      Instant expires = data.hasNonNull("expiresAt")
          ? Instant.ofEpochMilli((long) (data.get("expiresAt").asDouble() * 1000)) : null;
      Instant now = clock.instant();
      renewAt = expires == null || !expires.isAfter(now) ? null : expires.minus(Duration.ofMinutes(5));
      if (renewAt != null && renewAt.isBefore(now)) {
        renewAt = expires;
      }
    }
  }
}
