package dev.berth.image;

import dev.berth.aws.AwsErrors;
import dev.berth.report.BerthException;
import dev.berth.report.SecretMasker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.AuthorizationData;
import software.amazon.awssdk.services.ecr.model.CreateRepositoryResponse;
import software.amazon.awssdk.services.ecr.model.ImageTagMutability;
import software.amazon.awssdk.services.ecr.model.LifecyclePolicyNotFoundException;
import software.amazon.awssdk.services.ecr.model.Repository;
import software.amazon.awssdk.services.ecr.model.RepositoryAlreadyExistsException;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;

/** ECR repositories (find, create with settings, lifecycle policy) and in-process registry auth. */
public final class EcrRepositories {
  private final Supplier<EcrClient> ecr;
  private final Clock clock;

  /** A repository as berth needs it. */
  public record Info(String name, String uri, String registryId, boolean immutableTags, boolean scanOnPush) {
    /** The registry host of the repository URI ({@code ACCOUNT.dkr.ecr.REGION.amazonaws.com}). */
    public String host() {
      int slash = uri.indexOf('/');
      return slash < 0 ? uri : uri.substring(0, slash);
    }
  }

  public EcrRepositories(Supplier<EcrClient> ecr, Clock clock) {
    this.ecr = ecr;
    this.clock = clock;
  }

  /** The repository, or empty when it does not exist. Read-only. */
  public Optional<Info> find(String registryId, String name) {
    try {
      var r = ecr.get().describeRepositories(b -> {
        b.repositoryNames(name);
        if (registryId != null) {
          b.registryId(registryId);
        }
      });
      return r.repositories().stream().findFirst().map(EcrRepositories::info);
    } catch (RepositoryNotFoundException e) {
      return Optional.empty();
    } catch (SdkException e) {
      throw AwsErrors.translate("ECR DescribeRepositories for " + name, e);
    }
  }

  /** Creates the repository (scan on push on); when it appeared meanwhile, returns the existing one. */
  public Created create(String registryId, String name, boolean immutableTags) {
    try {
      CreateRepositoryResponse r = ecr.get().createRepository(b -> {
        b.repositoryName(name)
            .imageTagMutability(immutableTags ? ImageTagMutability.IMMUTABLE : ImageTagMutability.MUTABLE)
            .imageScanningConfiguration(s -> s.scanOnPush(true));
        if (registryId != null) {
          b.registryId(registryId);
        }
      });
      return new Created(info(r.repository()), true);
    } catch (RepositoryAlreadyExistsException e) {
      return new Created(find(registryId, name).orElseThrow(() -> AwsErrors.translate(
          "ECR CreateRepository for " + name, e)), false);
    } catch (SdkException e) {
      throw AwsErrors.translate("ECR CreateRepository for " + name, e);
    }
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
    try {
      try {
        String current = ecr.get().getLifecyclePolicy(b -> {
          b.repositoryName(name);
          if (registryId != null) {
            b.registryId(registryId);
          }
        }).lifecyclePolicyText();
        if (wanted.equals(current)) {
          return false;
        }
      } catch (LifecyclePolicyNotFoundException e) {
        // none yet
      }
      ecr.get().putLifecyclePolicy(b -> {
        b.repositoryName(name).lifecyclePolicyText(wanted);
        if (registryId != null) {
          b.registryId(registryId);
        }
      });
      return true;
    } catch (SdkException e) {
      throw AwsErrors.translate("ECR PutLifecyclePolicy for " + name, e);
    }
  }

  private static Info info(Repository r) {
    String mutability = r.imageTagMutabilityAsString();
    boolean immutable = mutability != null && mutability.startsWith("IMMUTABLE");
    boolean scan = r.imageScanningConfiguration() != null && Boolean.TRUE.equals(
        r.imageScanningConfiguration().scanOnPush());
    return new Info(r.repositoryName(), r.repositoryUri(), r.registryId(), immutable, scan);
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
      AuthorizationData data;
      try {
        var r = ecr.get().getAuthorizationToken(b -> {
          if (registryId != null) {
            b.registryIds(registryId);
          }
        });
        data = r.authorizationData().stream().findFirst()
            .orElseThrow(() -> BerthException.access("ECR GetAuthorizationToken returned no token", null));
      } catch (SdkException e) {
        throw AwsErrors.translate("ECR GetAuthorizationToken", e);
      }
      String encoded = data.authorizationToken();
      SecretMasker.global().register(encoded);
      String decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw BerthException.access("ECR GetAuthorizationToken returned a token that is not user:password", null);
      }
      String password = decoded.substring(colon + 1);
      SecretMasker.global().register(password);
      current = new RegistryCredentials(decoded.substring(0, colon), password);
      Instant expires = data.expiresAt();
      Instant now = clock.instant();
      renewAt = expires == null || !expires.isAfter(now) ? null : expires.minus(Duration.ofMinutes(5));
      if (renewAt != null && renewAt.isBefore(now)) {
        renewAt = expires;
      }
    }
  }
}
