package dev.berth.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.report.BerthException;
import dev.berth.report.SecretMasker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** ECR repositories (find, create with settings, lifecycle policy) and in-process registry auth. */
public final class EcrRepositories {
  private final EcrApi ecr;
  private final Clock clock;

  /**
   * A repository as berth needs it. {@code immutableTags} is the repository's default (IMMUTABLE and
   * IMMUTABLE_WITH_EXCLUSION); {@code mutabilityExceptions} are the wildcard filters of the *_WITH_EXCLUSION
   * settings (ECR API reference, ImageTagMutabilityExclusionFilter): tags they match have the opposite
   * mutability. Use {@link #immutable(String)} for one tag.
   */
  public record Info(String name, String uri, String registryId, boolean immutableTags, boolean scanOnPush,
      List<String> mutabilityExceptions) {
    public Info {
      mutabilityExceptions = mutabilityExceptions == null ? List.of() : List.copyOf(mutabilityExceptions);
    }

    /** Whether ECR refuses to move {@code tag} once it exists. */
    public boolean immutable(String tag) {
      boolean excepted = mutabilityExceptions.stream().anyMatch(f -> tag.matches(wildcard(f)));
      return immutableTags != excepted;
    }

    private static String wildcard(String filter) {
      List<String> parts = new java.util.ArrayList<>();
      for (String part : filter.split("\\*", -1)) {
        parts.add(java.util.regex.Pattern.quote(part));
      }
      return String.join(".*", parts);
    }

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
    Map<String, Object> body = request(registryId);
    body.put("repositoryNames", List.of(name));
    return callUnless("DescribeRepositories", body, "RepositoryNotFoundException")
        .map(r -> r.path("repositories")).filter(repos -> !repos.isEmpty()).map(repos -> info(repos.get(0)));
  }

  /** The answer to a read call, or empty when ECR answers ABSENT_CODE (the thing asked about does not exist). */
  private Optional<JsonNode> callUnless(String operation, Map<String, Object> body, String absentCode) {
    try {
      return Optional.of(ecr.call(operation, body));
    } catch (EcrApi.ServiceError e) {
      if (absentCode.equals(e.code())) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Creates the repository (scan on push on); when it appeared meanwhile, returns the existing one. */
  public Created create(String registryId, String name, boolean immutableTags) {
    Map<String, Object> body = request(registryId);
    body.put("repositoryName", name);
    body.put("imageTagMutability", immutableTags ? "IMMUTABLE" : "MUTABLE");
    body.put("imageScanningConfiguration", Map.of("scanOnPush", true));
    try {
      return new Created(info(ecr.call("CreateRepository", body).path("repository")), true);
    } catch (EcrApi.ServiceError e) {
      if ("RepositoryAlreadyExistsException".equals(e.code())) {
        return new Created(find(registryId, name).orElseThrow(() -> e), false);
      }
      throw e;
    }
  }

  private Map<String, Object> request(String registryId) {
    Map<String, Object> body = EcrApi.object();
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
    if (keepImagesPolicy(keep).equals(lifecyclePolicy(registryId, name).orElse(null))) {
      return false;
    }
    putKeepImages(registryId, name, keep);
    return true;
  }

  /** The repository's lifecycle policy text, or empty when it has none. Read-only. */
  public Optional<String> lifecyclePolicy(String registryId, String name) {
    Map<String, Object> get = request(registryId);
    get.put("repositoryName", name);
    return callUnless("GetLifecyclePolicy", get, "LifecyclePolicyNotFoundException")
        .map(r -> JsonDocs.text(r, "lifecyclePolicyText"));
  }

  /** Puts the keep-N lifecycle policy. */
  public void putKeepImages(String registryId, String name, int keep) {
    Map<String, Object> put = request(registryId);
    put.put("repositoryName", name);
    put.put("lifecyclePolicyText", keepImagesPolicy(keep));
    ecr.call("PutLifecyclePolicy", put);
  }

  private static Info info(JsonNode r) {
    String mutability = r.path("imageTagMutability").asText("MUTABLE");
    List<String> exceptions = new java.util.ArrayList<>();
    if (mutability.endsWith("_WITH_EXCLUSION")) {
      for (JsonNode f : r.path("imageTagMutabilityExclusionFilters")) {
        String filter = JsonDocs.text(f, "filter");
        if (filter != null && "WILDCARD".equals(JsonDocs.text(f, "filterType"))) {
          exceptions.add(filter);
        }
      }
    }
    return new Info(JsonDocs.text(r, "repositoryName"), JsonDocs.text(r, "repositoryUri"),
        JsonDocs.text(r, "registryId"), mutability.startsWith("IMMUTABLE"),
        r.path("imageScanningConfiguration").path("scanOnPush").asBoolean(false), exceptions);
  }

  /**
   * Registry credentials from ECR GetAuthorizationToken ({@code AWS:<token>}), fetched in-process and renewed
   * five minutes before they expire. A token whose expiry is already past when fetched (emulators answer
   * 2015) is used for this push and fetched anew only when the registry refuses it.
   */
  public TokenSource auth(String registryId) {
    return new TokenSource(registryId);
  }

  /** Credentials for one ECR registry, from GetAuthorizationToken. */
  public final class TokenSource implements RegistryCredentials.Source {
    private final String registryId;
    private RegistryCredentials current;
    private Instant renewAt;
    private String registryHost;

    /** The registry's host as ECR names it ({@code ACCOUNT.dkr.ecr.REGION.amazonaws.com}), or null. */
    public synchronized String registryHost() {
      if (current == null) {
        fetch();
      }
      return registryHost;
    }

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
      // registryIds is deprecated (ECR API reference, GetAuthorizationToken: "the returned token can be used to
      // access any Amazon ECR registry that the IAM principal has access to"): not sent
      Map<String, Object> body = EcrApi.object();
      JsonNode data = ecr.call("GetAuthorizationToken", body).path("authorizationData").path(0);
      if (JsonDocs.text(data, "authorizationToken") == null) {
        throw BerthException.access("ECR GetAuthorizationToken returned no token", null);
      }
      String proxy = JsonDocs.text(data, "proxyEndpoint");
      if (proxy != null) {
        registryHost = proxy.replaceFirst("^https?://", "").replaceFirst("/.*$", "");
      }
      String encoded = JsonDocs.text(data, "authorizationToken");
      SecretMasker.global().register(encoded);
      String decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw BerthException.access("ECR GetAuthorizationToken returned a token that is not user:password", null);
      }
      String password = decoded.substring(colon + 1);
      SecretMasker.global().register(password);
      current = new RegistryCredentials(decoded.substring(0, colon), password);
      Instant expires = data.path("expiresAt").isNumber()
          ? Instant.ofEpochMilli((long) (data.path("expiresAt").asDouble() * 1000)) : null;
      Instant now = clock.instant();
      renewAt = expires == null || !expires.isAfter(now) ? null : expires.minus(Duration.ofMinutes(5));
      if (renewAt != null && renewAt.isBefore(now)) {
        renewAt = expires;
      }
    }
  }
}
