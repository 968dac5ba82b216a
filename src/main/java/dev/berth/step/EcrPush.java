package dev.berth.step;

import dev.berth.aws.AwsClients;
import dev.berth.image.ContentSource;
import dev.berth.image.RegistryLogins;
import dev.berth.image.EcrRepositories;
import dev.berth.image.ImageCopier;
import dev.berth.image.LocalImages;
import dev.berth.image.Manifest;
import dev.berth.image.RegistryClient;
import dev.berth.image.RegistryCredentials;
import dev.berth.image.Sleeper;
import dev.berth.image.Source;
import dev.berth.report.BerthException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.report.Change;
import dev.berth.report.ImageReference;
import dev.berth.report.Json;
import dev.berth.report.Plan;
import dev.berth.report.InvalidInputException;
import dev.berth.report.Progress;
import dev.berth.report.SecretMasker;
import dev.berth.report.Violation;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import dev.berth.aws.AwsErrors;
import dev.berth.aws.AwsSettings;
import dev.berth.image.EcrApi;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * ecrPush: ensures the ECR repository (tag immutability, scan on push, lifecycle), then copies the image into
 * it exactly (same manifest bytes, same digest) from a registry or an OCI layout directory, and tags it.
 * A tag that already names the same digest is success without a push; on an immutable repository a tag
 * that names another digest fails and nothing is overwritten.
 */
public final class EcrPush {
  /** ECR repository names: components of lower-case letters and digits with . _ - inside, joined by /. */
  static final Pattern REPOSITORY = Pattern.compile(
      "(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*");
  static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");
  static final Pattern ECR_HOST = Pattern.compile("[0-9]{12}\\.dkr\\.ecr(?:-fips)?\\.[a-z0-9-]+\\.amazonaws\\.com(?:\\.cn)?");
  public static final String DEFAULT_TAG = "latest";
  public static final int DEFAULT_PARALLELISM = 6;

  /**
   * What to push where.
   *
   * @param repository ECR repository name
   * @param registryId the account that owns the registry, or null for the caller's
   * @param tags tags to put on the image; empty means the source reference's tag, else {@code latest}
   * @param source the image (null only in invalid requests)
   * @param mutableTags create the repository with mutable tags (default immutable)
   * @param keepImages lifecycle policy keeping this many images, or null for none
   * @param registryEndpoint send image traffic here instead of the repository URI's host, or null
   * @param sourceCredentials credentials for a registry source, or null (Docker config, else anonymous)
   * @param dockerConfig the Docker client config to read source credentials from, or null
   * @param parallelism how many blobs move at once
   * @param dryRun only read: the source, the repository, its lifecycle policy and tags; nothing is created,
   *     uploaded or tagged, and the result lists what a real run would change
   */
  public record Request(String repository, String registryId, List<String> tags, Source source, boolean mutableTags,
      Integer keepImages, URI registryEndpoint, RegistryCredentials sourceCredentials, Path dockerConfig,
      int parallelism, boolean dryRun) {
    public Request {
      tags = tags == null ? List.of() : List.copyOf(tags);
    }

    /** A real run (not a dry run). */
    public Request(String repository, String registryId, List<String> tags, Source source, boolean mutableTags,
        Integer keepImages, URI registryEndpoint, RegistryCredentials sourceCredentials, Path dockerConfig,
        int parallelism) {
      this(repository, registryId, tags, source, mutableTags, keepImages, registryEndpoint, sourceCredentials,
          dockerConfig, parallelism, false);
    }

    public static Request of(String repository, Source source, String... tags) {
      return new Request(repository, null, List.of(tags), source, false, null, null, null, null, DEFAULT_PARALLELISM);
    }

    public Request withRegistryEndpoint(URI endpoint) {
      return new Request(repository, registryId, tags, source, mutableTags, keepImages, endpoint, sourceCredentials,
          dockerConfig, parallelism, dryRun);
    }

    public Request withDryRun(boolean dry) {
      return new Request(repository, registryId, tags, source, mutableTags, keepImages, registryEndpoint,
          sourceCredentials, dockerConfig, parallelism, dry);
    }

    /** The tags in force: the given ones, else the source reference's tag, else latest. */
    public List<String> effectiveTags() {
      if (!tags.isEmpty()) {
        return tags;
      }
      if (source instanceof Source.Remote r && r.reference().tag() != null) {
        return List.of(r.reference().tag());
      }
      return List.of(DEFAULT_TAG);
    }
  }

  /**
   * What was pushed. {@code changes} lists what the run changed (repository created, lifecycle policy, tags
   * written); with {@code dryRun} (true, else absent) what it would change, and then nothing was created or
   * pushed: {@code repositoryUri} and {@code image} are null when the repository does not exist yet.
   */
  public record Result(String repository, String repositoryUri, List<String> tags, String digest, String image,
      String mediaType, boolean created, boolean pushed, List<String> tagsPushed, String source,
      int blobsUploaded, int blobsMounted, int blobsSkipped, long bytesUploaded, String message, Boolean dryRun,
      List<Change> changes) {}

  private final Supplier<EcrApi> ecr;
  private final Progress progress;
  private final Clock clock;
  private final Sleeper sleeper;

  public EcrPush(AwsClients aws, Progress progress) {
    this(aws, System.getenv(), progress);
  }

  public EcrPush(AwsClients aws, Map<String, String> env, Progress progress) {
    this(() -> ecrApi(aws, env), progress, Clock.systemUTC(), Sleeper.REAL);
  }

  public EcrPush(Supplier<EcrApi> ecr, Progress progress, Clock clock, Sleeper sleeper) {
    this.ecr = ecr;
    this.progress = progress;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /**
   * ECR's API without the SDK client (whose start-up would dominate a short push): region, credentials and
   * endpoint as berth's AWS settings give them. Static keys from the environment or system properties are
   * read directly; profiles, roles and instance credentials go through the SDK's providers.
   */
  static EcrApi ecrApi(AwsClients aws, Map<String, String> env) {
    AwsSettings s = aws.settings();
    // region and credentials from the same chains as every other step's SDK clients
    String region = aws.region().id();
    URI endpoint = s.endpointUrl();
    if (endpoint == null) {
      String e = firstOf(env.get("AWS_ENDPOINT_URL_ECR"), env.get("AWS_ENDPOINT_URL"));
      endpoint = e != null ? URI.create(e) : EcrApi.defaultEndpoint(region,
          "true".equalsIgnoreCase(env.get("AWS_USE_FIPS_ENDPOINT")),
          "true".equalsIgnoreCase(env.get("AWS_USE_DUALSTACK_ENDPOINT")));
    }
    Supplier<EcrApi.Credentials> credentials = () -> {
      AwsCredentials c;
      try {
        c = aws.credentials().resolveCredentials();
      } catch (SdkException e) {
        throw AwsErrors.translate("resolving AWS credentials for ECR", e);
      }
      String token = c instanceof AwsSessionCredentials sc ? sc.sessionToken() : null;
      return new EcrApi.Credentials(c.accessKeyId(), c.secretAccessKey(), token);
    };
    return new EcrApi(endpoint, region, credentials, Clock.systemUTC(), Sleeper.REAL, aws::recordCall)
        .withProxies(dev.berth.image.ProxyConfig.from(env))
        .withTimeouts(aws.connectTimeout(),
            s.attemptTimeout() == null ? AwsSettings.DEFAULT_ATTEMPT_TIMEOUT : s.attemptTimeout(),
            s.callTimeout() == null ? AwsSettings.DEFAULT_CALL_TIMEOUT : s.callTimeout(), aws.maxAttempts());
  }

  private static String firstOf(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }

  /** Every problem with the request, each with its flag; empty when it can run. Changes nothing. */
  public static List<Violation> validate(Request r) {
    List<Violation> v = new ArrayList<>();
    String name = r.repository();
    if (name == null || name.isBlank()) {
      v.add(Violation.error("--repository", "a repository name is required"));
    } else if (name.length() < 2 || name.length() > 256 || !REPOSITORY.matcher(name).matches()) {
      v.add(Violation.error("--repository", "'" + name + "' is not a valid ECR repository name (2-256 characters: "
          + "lower-case letters, digits, and . _ - between them, path components separated by /)"));
    }
    if (r.registryId() != null && !ACCOUNT.matcher(r.registryId()).matches()) {
      v.add(Violation.error("--registry-id", "'" + r.registryId() + "' is not a 12-digit AWS account id"));
    }
    for (String tag : r.tags()) {
      if (tag == null || !ImageReference.TAG.matcher(tag).matches()) {
        v.add(Violation.error("--tag", "'" + tag + "' is not a valid tag (letters, digits, _ . -, at most 128, "
            + "not starting with . or -)"));
      }
    }
    if (r.tags().stream().distinct().count() != r.tags().size()) {
      v.add(Violation.error("--tag", "a tag is given twice"));
    }
    if (r.source() == null) {
      v.add(Violation.error("--image", "no image source: give one of --image REF, --dockerfile PATH, --tar PATH,"
          + " --docker-daemon REF, --oci-layout DIR"));
    } else if (r.source() instanceof Source.OciLayout l) {
      Path dir = l.directory();
      if (dir == null || !Files.isDirectory(dir)) {
        v.add(Violation.error("--oci-layout", "OCI layout directory " + dir + " does not exist"));
      } else if (!Files.isRegularFile(dir.resolve("index.json")) || !Files.isRegularFile(dir.resolve("oci-layout"))) {
        v.add(Violation.error("--oci-layout", dir + " is not an OCI image layout (no oci-layout or index.json file)"));
      }
    }
    if (r.keepImages() != null && (r.keepImages() < 1 || r.keepImages() > 1000)) {
      v.add(Violation.error("--keep-images", "must be between 1 and 1000, got " + r.keepImages()));
    }
    URI e = r.registryEndpoint();
    if (e != null) {
      // decided on the parsed URL: http://localhost:1@evil.example is evil.example, with user info
      if (e.getScheme() == null || e.getHost() == null
          || !(e.getScheme().equals("https") || e.getScheme().equals("http"))) {
        v.add(Violation.error("--registry-endpoint", "'" + e + "' is not an http(s) URL"));
      } else if (e.getRawUserInfo() != null) {
        v.add(Violation.error("--registry-endpoint", "a registry URL with user information (user@ or user:password@)"
            + " is refused: credentials come from ECR, and text before @ hides the real host " + e.getHost()));
      } else if (e.getScheme().equals("http") && !ImageReference.isLoopback(e.getHost())) {
        v.add(Violation.error("--registry-endpoint", "plain http is accepted only for loopback hosts "
            + "(127.0.0.0/8, localhost, ::1); use https for " + e.getHost()));
      } else if (e.getRawPath() != null && !e.getRawPath().isEmpty() && !e.getRawPath().equals("/")) {
        v.add(Violation.error("--registry-endpoint", "give the registry's root URL without a path, got " + e));
      }
    }
    if (r.parallelism() < 1 || r.parallelism() > 32) {
      v.add(Violation.error("--parallel", "must be between 1 and 32, got " + r.parallelism()));
    }
    return v;
  }

  private static String schemeFor(String host) {
    return ImageReference.isLoopback(host) ? "http" : "https";
  }

  public Result run(Request request) {
    // every problem at once, the local source's (Dockerfile, archive, docker CLI) with the request's
    List<Violation> problems = new ArrayList<>(validate(request));
    LocalImages.Prepared local = prepareLocal(request, problems);
    InvalidInputException.throwIfAny(problems);
    for (Violation w : problems) {
      progress.warn(w.toString());
    }
    LocalImages.Layout[] built = new LocalImages.Layout[1];
    try {
      return run(request, local, built);
    } finally {
      if (built[0] != null) {
        built[0].delete();
      }
    }
  }

  private Result run(Request request, LocalImages.Prepared local, LocalImages.Layout[] built) {
    List<String> tags = request.effectiveTags();
    String name = request.repository();
    EcrRepositories repos = new EcrRepositories(ecr.get(), clock);
    ImageReference srcRef = request.source() instanceof Source.Remote r ? r.reference() : null;
    boolean sourceOnEcr = srcRef != null && ECR_HOST.matcher(srcRef.apiHost()).matches();

    ExecutorService background = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "berth-ecr");
      t.setDaemon(true);
      return t;
    });
    try {
      // ECR's two reads (DescribeRepositories, the registry token) run at once, each on a thread of its own,
      // while the source manifest is read: the tag check waits for the slower of the three, not for their sum
      EcrRepositories.TokenSource auth = repos.auth(request.registryId());
      CompletableFuture<Optional<EcrRepositories.Info>> found = CompletableFuture.supplyAsync(
          () -> repos.find(request.registryId(), name), background);
      CompletableFuture<EcrRepositories.TokenSource> token = CompletableFuture.supplyAsync(() -> {
        auth.get();
        return auth;
      }, background);
      ContentSource source = null;
      Manifest root = null;
      if (local != null) {
        progress.info("building " + local.description());
        LocalImages.Layout layout = build(local);
        built[0] = layout;
        progress.info("built " + layout.digest());
        source = ContentSource.of(new Source.OciLayout(layout.dir()), null);
        root = source.root();
      } else if (!sourceOnEcr) {
        source = ContentSource.of(request.source(), srcRef == null ? null : sourceClient(request, srcRef));
        progress.info("reading " + source.describe());
        root = source.root();
      }
      // the repository's answer first: when both fail, its failure is the one reported (as when they ran in turn)
      Optional<EcrRepositories.Info> existing = BackgroundReads.join(found);
      BackgroundReads.join(token);
      URI endpoint = request.registryEndpoint();
      if (sourceOnEcr) {
        // the source lives in an ECR registry: when it is this one, read it with the same endpoint and token
        // (blobs are then mounted); another account's registry in this region gets its own token
        String targetHost = existing.map(EcrRepositories.Info::host).orElseGet(auth::registryHost);
        RegistryClient srcClient;
        if (srcRef.apiHost().equals(targetHost)) {
          srcClient = targetClient(endpoint, targetHost, auth);
        } else if (request.sourceCredentials() == null && targetHost != null
            && srcRef.apiHost().substring(12).equals(targetHost.substring(12))) {
          srcClient = new RegistryClient(URI.create("https://" + srcRef.apiHost()),
              repos.auth(srcRef.apiHost().substring(0, 12)), RegistryClient.Settings.defaults(), sleeper)
              .assumingBasicAuth();
        } else {
          srcClient = sourceClient(request, srcRef);
        }
        source = ContentSource.of(request.source(), srcClient);
        progress.info("reading " + source.describe());
        root = source.root();
      }
      progress.info("source " + root.mediaType() + " " + root.digest());

      boolean created = false;
      EcrRepositories.Info info;
      Plan.Builder changes = Plan.builder();
      if (existing.isEmpty()) {
        changes.add(Change.create("ecr:repository", name, List.of(
            Change.Field.set("imageTagMutability", request.mutableTags() ? "MUTABLE" : "IMMUTABLE"),
            Change.Field.set("scanOnPush", true))));
      }
      if (request.dryRun()) {
        return dryRun(request, repos, existing.orElse(null), root, tags, changes);
      }
      if (existing.isPresent()) {
        info = existing.get();
        if (!request.mutableTags() && !info.immutableTags()) {
          progress.warn("repository " + name + " exists with mutable tags; its settings are left as they are");
        }
      } else {
        EcrRepositories.Created c = repos.create(request.registryId(), name, !request.mutableTags());
        info = c.info();
        created = c.created();
        if (created) {
          progress.info("created repository " + info.uri() + " (tags " + (info.immutableTags() ? "immutable" : "mutable")
              + ", scan on push " + (info.scanOnPush() ? "on" : "off") + ")");
        }
      }
      if (request.keepImages() != null) {
        Change policy = lifecycleChange(repos, request, created);
        if (policy != null) {
          repos.putKeepImages(request.registryId(), name, request.keepImages());
          changes.add(policy);
          progress.info("lifecycle policy: keep the " + request.keepImages() + " most recent images");
        }
      }
      RegistryClient target = targetClient(endpoint, info.host(), auth);
      String digest = root.digest();
      Result partial = new Result(name, info.uri(), tags, digest, info.uri() + "@" + digest, root.mediaType(),
          created, false, List.of(), describe(request.source()), 0, 0, 0, 0, null, null, changes.build().changes());

      // tags: same digest = nothing to do; another digest = refuse on immutable repositories
      List<String> toPush = new ArrayList<>();
      Map<String, String> conflicts = new LinkedHashMap<>();
      for (String tag : tags) {
        Optional<String> current = created ? Optional.empty() : target.manifestDigest(name, tag);
        if (current.isEmpty()) {
          toPush.add(tag);
        } else if (current.get().equals(digest)) {
          progress.info("tag " + tag + " already points to " + digest);
        } else if (info.immutable(tag)) {
          conflicts.put(tag, current.get());
        } else {
          progress.info("tag " + tag + " moves from " + current.get() + " to " + digest);
          toPush.add(tag);
        }
      }
      if (!conflicts.isEmpty()) {
        StringBuilder sb = new StringBuilder();
        conflicts.forEach((tag, other) -> sb.append(sb.length() == 0 ? "" : "; ").append("tag ").append(tag)
            .append(" of ").append(info.uri()).append(" already points to ").append(other)
            .append(", not to the pushed image ").append(digest));
        throw BerthException.failed(sb + " (tags are immutable in this repository: push under a new tag; nothing"
            + " was overwritten)").withResult(partial);
      }
      if (toPush.isEmpty()) {
        String message = "tag" + (tags.size() > 1 ? "s " : " ") + String.join(", ", tags) + " already point"
            + (tags.size() > 1 ? "" : "s") + " to " + digest + "; nothing pushed";
        progress.info(message);
        return new Result(name, info.uri(), tags, digest, info.uri() + "@" + digest, root.mediaType(), created, false,
            List.of(), describe(request.source()), 0, 0, 0, 0, message, null, changes.build().changes());
      }
      ImageCopier copier = new ImageCopier(progress, request.parallelism());
      ImageCopier.Graph graph;
      ImageCopier.Stats stats;
      try {
        graph = copier.graph(source, root);
        progress.info("copying " + graph.blobs().size() + " blobs" + (graph.children().isEmpty() ? ""
            : " of " + graph.children().size() + " manifests") + " to " + info.uri()
            + (endpoint == null ? "" : " via " + endpoint));
        stats = copier.copy(source, graph, target, name, toPush, created);
      } catch (BerthException e) {
        if (e.result() == null) {
          e.withResult(partial);
        }
        throw e;
      }
      progress.info("pushed " + info.uri() + "@" + digest + " (" + stats.blobsUploaded() + " blobs uploaded, "
          + stats.blobsMounted() + " mounted, " + stats.blobsSkipped() + " already there)");
      for (String tag : toPush) {
        changes.add(tagChange(name, tag, null, digest));
      }
      return new Result(name, info.uri(), tags, digest, info.uri() + "@" + digest, root.mediaType(), created, true,
          toPush, describe(request.source()), stats.blobsUploaded(), stats.blobsMounted(), stats.blobsSkipped(),
          stats.bytesUploaded(), null, null, changes.build().changes());
    } finally {
      background.shutdownNow();
    }
  }

  /**
   * A dry run after the source was read: the lifecycle policy and the tags are compared with what the repository
   * holds (when it exists), and the changes a real run would make are returned. Nothing is created, uploaded
   * or tagged; a tag that an immutable repository holds with another digest fails as the real run would.
   */
  private Result dryRun(Request request, EcrRepositories repos, EcrRepositories.Info info, Manifest root,
      List<String> tags, Plan.Builder changes) {
    String name = request.repository();
    String digest = root.digest();
    if (request.keepImages() != null) {
      changes.add(lifecycleChange(repos, request, info == null));
    }
    List<String> toPush = new ArrayList<>();
    List<String> conflicts = new ArrayList<>();
    RegistryClient target = info == null ? null : targetClient(request.registryEndpoint(), info.host(),
        repos.auth(request.registryId()));
    for (String tag : tags) {
      Optional<String> current = target == null ? Optional.empty() : target.manifestDigest(name, tag);
      if (current.isPresent() && current.get().equals(digest)) {
        progress.info("tag " + tag + " already points to " + digest);
      } else if (current.isPresent() && info.immutableTags()) {
        conflicts.add("tag " + tag + " of " + info.uri() + " already points to " + current.get()
            + ", not to the image " + digest);
      } else {
        toPush.add(tag);
        changes.add(tagChange(name, tag, current.orElse(null), digest));
      }
    }
    String uri = info == null ? null : info.uri();
    Result result = new Result(name, uri, tags, digest, uri == null ? null : uri + "@" + digest, root.mediaType(),
        false, false, List.of(), describe(request.source()), 0, 0, 0, 0, toPush.isEmpty()
            ? "nothing to push: every tag already points to " + digest
            : "dry run: would push " + digest + " as " + String.join(", ", toPush), true, changes.build().changes());
    if (!conflicts.isEmpty()) {
      throw BerthException.failed(String.join("; ", conflicts) + " (tags are immutable in this repository: a real"
          + " run would fail; nothing was changed)").withResult(result);
    }
    return result;
  }

  /** The keep-N lifecycle policy change, or null when the repository already has exactly it. */
  private static Change lifecycleChange(EcrRepositories repos, Request request, boolean newRepository) {
    String wanted = EcrRepositories.keepImagesPolicy(request.keepImages());
    String current = newRepository ? null
        : repos.lifecyclePolicy(request.registryId(), request.repository()).orElse(null);
    if (wanted.equals(current)) {
      return null;
    }
    Object before = null;
    if (current != null) {
      // berth's own policy shows as its count; any other policy as its text
      JsonNode count = null;
      try {
        count = Json.mapper().readTree(current).path("rules").path(0).path("selection").path("countNumber");
      } catch (java.io.IOException e) {
        // not JSON: shown as it is
      }
      before = count != null && count.isInt() && current.contains("(berth)") ? (Object) count.asInt() : current;
    }
    List<Change.Field> fields = List.of(Change.Field.of("keepImages", before, request.keepImages()));
    return current == null ? Change.create("ecr:lifecycle-policy", request.repository(), fields)
        : Change.update("ecr:lifecycle-policy", request.repository(), fields);
  }

  /** A tag written (or moved, on a repository with mutable tags) to a digest. */
  private static Change tagChange(String repository, String tag, String before, String digest) {
    List<Change.Field> fields = List.of(Change.Field.of("digest", before, digest));
    return before == null ? Change.create("ecr:image-tag", repository + ":" + tag, fields)
        : Change.update("ecr:image-tag", repository + ":" + tag, fields);
  }

  private LocalImages.Layout build(LocalImages.Prepared local) {
    try {
      return local.build(progress);
    } catch (java.io.IOException e) {
      throw BerthException.failed("image build failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw BerthException.failed("image build interrupted", e);
    }
  }

  /**
   * {@link #validate} and the local source's own problems (the Dockerfile parsed, its sources found; the archive's
   * format; the docker CLI), all at once. Reads files, changes nothing.
   */
  public static List<Violation> check(Request request) {
    List<Violation> problems = new ArrayList<>(validate(request));
    prepareLocal(request, problems);
    return problems;
  }

  private static LocalImages.Prepared prepareLocal(Request request, List<Violation> problems) {
    if (request.source() instanceof Source.Local l) {
      try {
        return LocalImages.prepare(l.source(), localOptions(request, l));
      } catch (InvalidInputException e) {
        problems.addAll(e.violations());
      }
    }
    return null;
  }

  /** Base images of a Dockerfile are pulled with the credentials a registry source would get. */
  private static LocalImages.Options localOptions(Request request, Source.Local l) {
    return new LocalImages.Options(null, l.env(), jibRegistry -> {
      if (request.sourceCredentials() != null) {
        return Optional.of(request.sourceCredentials());
      }
      if (request.dockerConfig() == null) {
        return Optional.empty();
      }
      String registry = jibRegistry.equals("registry-1.docker.io") || jibRegistry.equals("index.docker.io")
          ? ImageReference.DOCKER_HUB : jibRegistry;
      return RegistryLogins.find(request.dockerConfig(), registry, l.env());
    });
  }

  private static String describe(Source s) {
    return s == null ? null : s.toString();
  }

  private RegistryClient targetClient(URI endpoint, String host, RegistryCredentials.Source auth) {
    URI base = endpoint != null ? endpoint : URI.create("https://" + host);
    return new RegistryClient(base, auth, RegistryClient.Settings.defaults(), sleeper).assumingBasicAuth()
        .namingEcrActions();
  }

  private RegistryClient sourceClient(Request request, ImageReference ref) {
    RegistryCredentials creds = request.sourceCredentials();
    if (creds == null && request.dockerConfig() != null) {
      creds = RegistryLogins.find(request.dockerConfig(), ref.registry(), System.getenv()).orElse(null);
    }
    if (creds != null) {
      SecretMasker.global().register(creds.password());
    }
    URI base = URI.create(schemeFor(ref.apiHost()) + "://" + ref.apiHost());
    return new RegistryClient(base, RegistryCredentials.Source.of(creds), RegistryClient.Settings.defaults(), sleeper);
  }
}
