package dev.berth.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.DockerClient;
import com.google.cloud.tools.jib.api.DockerDaemonImage;
import com.google.cloud.tools.jib.api.ImageDetails;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Platform;
import com.google.cloud.tools.jib.api.buildplan.Port;
import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.blob.BlobDescriptor;
import com.google.cloud.tools.jib.hash.Digests;
import com.google.cloud.tools.jib.image.Image;
import com.google.cloud.tools.jib.image.ImageTarball;
import com.google.cloud.tools.jib.image.Layer;
import com.google.cloud.tools.jib.image.json.ContainerConfigurationTemplate;
import com.google.cloud.tools.jib.image.json.HistoryEntry;
import com.google.cloud.tools.jib.image.json.ImageToJsonTranslator;
import com.google.cloud.tools.jib.image.json.OciManifestTemplate;
import com.google.cloud.tools.jib.json.JsonTemplateMapper;
import dev.berth.report.BerthException;
import dev.berth.report.InvalidInputException;
import dev.berth.report.Progress;
import dev.berth.report.Violation;
import java.security.MessageDigest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * The local image sources of ecrPush, each turned into an OCI image layout folder (oci-layout, index.json,
 * blobs/sha256/...) that the pusher uploads: a Dockerfile built without a daemon, an image archive ({@code docker
 * save} or OCI layout), an image of a local Docker engine read through the {@code docker} CLI.
 *
 * <p>Use: {@link #prepare} checks everything that can be checked before anything changes (all problems at once,
 * as an {@link InvalidInputException}); {@link Prepared#build} then writes the layout.
 */
public final class LocalImages {
  private LocalImages() {}

  /** One local source. */
  public sealed interface Source permits DockerfileSource, TarSource, DockerDaemonSource {}

  /**
   * {@code --dockerfile} (with {@code --context}, default the Dockerfile's folder, and {@code --build-arg}).
   */
  public record DockerfileSource(Path dockerfile, Path context, Map<String, String> buildArgs) implements Source {
    public DockerfileSource {
      buildArgs = Map.copyOf(buildArgs);
    }

    /** The build arguments by name only: a value may be a secret. */
    @Override
    public String toString() {
      return "DockerfileSource[dockerfile=" + dockerfile + ", context=" + context + ", buildArgs="
          + new java.util.TreeSet<>(buildArgs.keySet()) + " (values not shown)]";
    }
  }

  /** {@code --tar}: a {@code docker save} archive or an OCI layout archive (plain or gzip). */
  public record TarSource(Path archive) implements Source {}

  /** {@code --docker-daemon}: an image of the local Docker engine, read with {@code docker save}. */
  public record DockerDaemonSource(String reference) implements Source {}

  /**
   * How to build.
   *
   * @param cacheDir where Jib keeps base and application layers between runs (what makes a rebuild that changes only
   *     the app fast); null for {@code $BERTH_CACHE_DIR}, {@code $XDG_CACHE_HOME/berth} or {@code ~/.cache/berth}
   * @param env the environment (PATH to find {@code docker}, cache variables)
   * @param credentials registry (as Jib names it: registry-1.docker.io for Docker Hub) -> credentials for pulling
   *     a base image; empty for anonymous
   */
  public record Options(Path cacheDir, Map<String, String> env, Function<String, Optional<RegistryCredentials>> credentials) {
    public static Options defaults(Map<String, String> env) {
      return new Options(null, env, host -> Optional.empty());
    }

    Path cache() {
      if (cacheDir != null) {
        return cacheDir;
      }
      String b = env.get("BERTH_CACHE_DIR");
      if (b != null && !b.isBlank()) {
        return Path.of(b);
      }
      String x = env.get("XDG_CACHE_HOME");
      if (x != null && !x.isBlank()) {
        return Path.of(x, "berth");
      }
      return Path.of(System.getProperty("user.home"), ".cache", "berth");
    }
  }

  /** The built layout: its folder and the digest of the image manifest (or index) in it. */
  public record Layout(Path dir, String digest) {
    /** Deletes the layout folder (blobs linked from the layer cache stay in the cache). */
    public void delete() {
      deleteTree(dir);
      PENDING.remove(dir);
    }
  }

  /** A checked source, ready to build. */
  public interface Prepared {
    /** What is built, for progress lines. */
    String description();

    /** Writes the OCI layout into {@code dir} (created; must be empty or missing). */
    Layout build(Path dir, Progress progress) throws IOException, InterruptedException;

    /**
     * Writes the OCI layout into a new temporary folder beside the layer cache (same file system, so cached blobs
     * are hard links, not copies). The caller deletes it with {@link Layout#delete()}.
     */
    Layout build(Progress progress) throws IOException, InterruptedException;
  }

  private abstract static class Base implements Prepared {
    final Options options;

    Base(Options options) {
      this.options = options;
    }

    @Override
    public Layout build(Progress progress) throws IOException, InterruptedException {
      Path tmp = options.cache().resolve("tmp");
      Files.createDirectories(tmp);
      Path dir = Files.createTempDirectory(tmp, "layout-");
      pending(dir);
      boolean ok = false;
      try {
        Layout l = build(dir, progress);
        ok = true;
        return l;
      } finally {
        if (!ok) {
          deleteTree(dir);
          PENDING.remove(dir);
        }
      }
    }
  }

  /**
   * Layouts being built or pushed: deleted when the JVM exits before their owner deletes them (a step stopped by
   * --timeout exits while its worker thread is still writing), so no layout stays in the cache.
   */
  private static final Set<Path> PENDING = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private static final java.util.concurrent.atomic.AtomicBoolean HOOK = new java.util.concurrent.atomic.AtomicBoolean();

  private static void pending(Path dir) {
    PENDING.add(dir);
    if (HOOK.compareAndSet(false, true)) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        for (Path p : List.copyOf(PENDING)) {
          deleteTree(p);
        }
      }, "berth-layout-cleanup"));
    }
  }

  static void deleteTree(Path dir) {
    try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a temporary folder left behind is not worth failing for
    }
  }

  /**
   * Checks the source: the Dockerfile is parsed and its sources resolved, the archive's format is recognized, the
   * reference is valid and a {@code docker} executable exists. Throws an {@link InvalidInputException} holding every
   * problem. Reads the base image's configuration from its registry only when a substitution needs its environment.
   */
  public static Prepared prepare(Source source, Options options) {
    if (source instanceof DockerfileSource d) {
      return DockerfileBuild.prepare(d, options);
    }
    if (source instanceof TarSource t) {
      return prepareTar(t, options);
    }
    return prepareDaemon((DockerDaemonSource) source, options);
  }

  // ------------------------------------------------------------------------------------------------- Dockerfile

  private static final class DockerfileBuild extends Base {
    private final DockerfileSource source;
    private final BuildPlan plan;
    private final List<ContextLayer> layers;

    private DockerfileBuild(DockerfileSource source, Options options, BuildPlan plan, List<ContextLayer> layers) {
      super(options);
      this.source = source;
      this.plan = plan;
      this.layers = layers;
    }

    static Prepared prepare(DockerfileSource src, Options options) {
      List<Violation> violations = new ArrayList<>();
      Path dockerfile = src.dockerfile();
      Path context = src.context() != null ? src.context() : dockerfile.toAbsolutePath().getParent();
      if (!Files.isRegularFile(dockerfile)) {
        violations.add(Violation.error("--dockerfile", "no such file: " + dockerfile));
      }
      if (context == null || !Files.isDirectory(context)) {
        violations.add(Violation.error("--context", "no such folder: " + context));
      }
      InvalidInputException.throwIfAny(violations);
      String name = dockerfile.getFileName().toString();
      String text;
      List<String> ignoreProblems = new ArrayList<>();
      DockerIgnore ignore;
      try {
        text = Files.readString(dockerfile, StandardCharsets.UTF_8);
        ignore = DockerIgnore.load(context, ignoreProblems);
      } catch (IOException e) {
        throw new InvalidInputException("--dockerfile", "cannot read: " + e.getMessage());
      }
      for (String p : ignoreProblems) {
        int colon = p.indexOf(": ");
        violations.add(Violation.error(p.substring(0, colon), p.substring(colon + 2)));
      }
      BaseEnv baseEnv = new BaseEnv(options, platformOf(text));
      DockerfileParser.Result parsed = DockerfileParser.parse(text, name, src.buildArgs(), baseEnv);
      violations.addAll(parsed.violations());
      if (baseEnv.problem != null) {
        violations.add(Violation.warning(name, baseEnv.problem));
      }
      List<ContextLayer> layers = new ArrayList<>();
      if (parsed.plan() != null) {
        ContextFiles files = new ContextFiles(context, ignore, name);
        for (BuildPlan.Copy c : parsed.plan().copies()) {
          layers.add(files.layer(c, violations));
        }
      }
      InvalidInputException.throwIfAny(violations);
      return new DockerfileBuild(src, options, parsed.plan(), layers);
    }

    @Override
    public String description() {
      return "Dockerfile " + source.dockerfile() + " (FROM " + (plan.base() == null ? "scratch" : plan.base())
          + ", " + layers.size() + " file layer" + (layers.size() == 1 ? "" : "s") + ")";
    }

    @Override
    public Layout build(Path dir, Progress progress) throws IOException, InterruptedException {
      JibContainerBuilder b;
      boolean insecure = false;
      if (plan.base() == null) {
        b = Jib.fromScratch();
      } else {
        ImageReference ref = parseRef(plan.base());
        insecure = dev.berth.report.ImageReference.isLoopback(ref.getRegistry());
        if (insecure) {
          // plain http (and credentials over it) only for loopback registries: Jib uses http only where
          // insecure registries are allowed, which berth allows for loopback base images alone
          System.setProperty("sendCredentialsOverHttp", "true");
        }
        RegistryImage image = RegistryImage.named(ref);
        Optional<RegistryCredentials> login = options.credentials().apply(ref.getRegistry());
        login.ifPresent(l -> image.addCredential(l.username(), l.password()));
        b = Jib.from(image);
      }
      if (plan.platform() != null) {
        String[] p = plan.platform().split("/");
        b.setPlatforms(Set.of(new Platform(p[1], p[0])));
      }
      // the file layers are berth's own (links as links, digests from the bytes), appended to the base's
      b.setFormat(ImageFormat.OCI);
      b.setCreationTime(Instant.EPOCH);
      plan.env().forEach(b::addEnvironmentVariable);
      plan.labels().forEach(b::addLabel);
      for (String p : plan.exposedPorts()) {
        String[] pp = p.split("/");
        b.addExposedPort(pp[1].equals("udp") ? Port.udp(Integer.parseInt(pp[0])) : Port.tcp(Integer.parseInt(pp[0])));
      }
      for (String v : plan.volumes()) {
        b.addVolume(AbsoluteUnixPath.get(v));
      }
      if (plan.workdir() != null) {
        b.setWorkingDirectory(AbsoluteUnixPath.get(plan.workdir()));
      }
      if (plan.user() != null) {
        b.setUser(plan.user());
      }
      if (plan.entrypoint() != null) {
        b.setEntrypoint(plan.entrypoint());
        // Docker: ENTRYPOINT resets a CMD inherited from the base image
        b.setProgramArguments(plan.cmd() != null ? plan.cmd() : List.of());
      } else if (plan.cmd() != null) {
        b.setProgramArguments(plan.cmd());
      }
      return containerize(b, insecure, dir, options, progress, layers);
    }
  }

  /**
   * The base image's environment (config.Env), read from its registry (manifest, then config blob) when a
   * substitution needs it. A failure is not fatal: the variable stays unset and a warning says why.
   */
  private static final class BaseEnv implements Function<String, Map<String, String>> {
    private final Options options;
    private final String platform;
    String problem;

    BaseEnv(Options options, String platform) {
      this.options = options;
      this.platform = platform;
    }

    @Override
    public Map<String, String> apply(String reference) {
      try {
        return fetch(reference);
      } catch (IOException | RuntimeException e) {
        problem = "cannot read the environment of base image " + reference + " (variables it sets expand to empty"
            + " strings): " + e.getMessage();
        return Map.of();
      }
    }

    private Map<String, String> fetch(String reference) throws IOException {
      dev.berth.report.ImageReference ref = dev.berth.report.ImageReference.parse(reference);
      RegistryCredentials login = options.credentials().apply(ref.apiHost()).orElse(null);
      RegistryClient client = RegistryClient.forHost(ref.apiHost(), RegistryCredentials.Source.of(login));
      Manifest m = client.getManifest(ref.repository(), ref.reference())
          .orElseThrow(() -> new IOException("no such image"));
      if (m.isIndex()) {
        String[] p = (platform == null ? "linux/amd64" : platform).split("/");
        String child = null;
        for (JsonNode d : JsonDocs.parse(m.bytes()).path("manifests")) {
          JsonNode pf = d.path("platform");
          if (p[0].equals(pf.path("os").asText()) && p[1].equals(pf.path("architecture").asText())
              && (p.length < 3 || p[2].equals(pf.path("variant").asText()))) {
            child = d.path("digest").asText();
            break;
          }
        }
        if (child == null) {
          throw new IOException("no " + String.join("/", p) + " image in its index");
        }
        m = client.getManifest(ref.repository(), child).orElseThrow(() -> new IOException("no such image"));
      }
      String config = JsonDocs.parse(m.bytes()).path("config").path("digest").asText();
      JsonNode env;
      try (InputStream in = client.openBlob(ref.repository(), config).stream()) {
        // a base image's config, read like a manifest: strictly, and at most the registries' 4 MiB
        env = JsonDocs.parse(JsonDocs.readBounded(in, -1, RegistryClient.MAX_MANIFEST, "the config of "
            + reference)).path("config").path("Env");
      }
      Map<String, String> result = new LinkedHashMap<>();
      for (JsonNode e : env) {
        String kv = e.asText();
        int eq = kv.indexOf('=');
        if (eq > 0) {
          result.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
      }
      return result;
    }
  }

  // ------------------------------------------------------------------------------------------------- archives

  private static Prepared prepareTar(TarSource t, Options options) {
    ImageArchive.Scan scan = ImageArchive.scan(t.archive());
    return new Base(options) {
      @Override
      public String description() {
        return (scan.oci() ? "OCI layout archive " : "docker save archive ") + t.archive();
      }

      @Override
      public Layout build(Path dir, Progress progress) throws IOException {
        // exact for an OCI layout (the digest is the archive's); a docker save archive is converted by berth,
        // never through a layer cache keyed by what the archive claims
        String digest = scan.oci() ? ImageArchive.extractLayout(scan, dir) : ImageArchive.convertDockerSave(scan, dir);
        return new Layout(dir, digest);
      }
    };
  }

  private static Prepared prepareDaemon(DockerDaemonSource d, Options options) {
    List<Violation> violations = new ArrayList<>();
    ImageReference ref = null;
    try {
      ref = jib(dev.berth.report.ImageReference.parse(d.reference()));
    } catch (IllegalArgumentException e) {
      violations.add(Violation.error("--docker-daemon", e.getMessage()));
    }
    Path docker = findDocker(options.env());
    if (docker == null) {
      violations.add(Violation.error("--docker-daemon", "no docker executable on PATH (the Docker CLI is needed"
          + " to read the image from the engine; or give the image with --tar)"));
    }
    InvalidInputException.throwIfAny(violations);
    return new Base(options) {
      @Override
      public String description() {
        return "image " + d.reference() + " of the local Docker engine (" + docker + ")";
      }

      @Override
      public Layout build(Path dir, Progress progress) throws IOException, InterruptedException {
        Map<String, String> dockerEnv = new LinkedHashMap<>();
        for (String k : List.of("DOCKER_HOST", "DOCKER_CONFIG", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY",
            "DOCKER_CERT_PATH", "PATH", "HOME")) {
          if (options.env().get(k) != null) {
            dockerEnv.put(k, options.env().get(k));
          }
        }
        // docker save into a file beside the layout, then the same conversion as --tar
        Files.createDirectories(dir);
        Path saved = Files.createTempFile(dir.getParent(), "docker-save-", ".tar");
        try {
          ProcessBuilder pb = new ProcessBuilder(docker.toString(), "save", d.reference())
              .redirectOutput(saved.toFile());
          pb.environment().clear();
          pb.environment().putAll(dockerEnv);
          Process p = pb.start();
          byte[] err;
          try (InputStream e = p.getErrorStream()) {
            err = e.readNBytes(8192);
            e.transferTo(OutputStream.nullOutputStream());
          }
          int code;
          try {
            code = p.waitFor();
          } finally {
            p.destroyForcibly();
          }
          if (code != 0) {
            throw BerthException.failed("docker save " + d.reference() + " failed (exit " + code + "): "
                + new String(err, StandardCharsets.UTF_8).trim());
          }
          ImageArchive.Scan scan = ImageArchive.scan(saved);
          String digest = scan.oci() ? ImageArchive.extractLayout(scan, dir)
              : ImageArchive.convertDockerSave(scan, dir);
          return new Layout(dir, digest);
        } finally {
          Files.deleteIfExists(saved);
        }
      }
    };
  }

  static Path findDocker(Map<String, String> env) {
    String path = env.getOrDefault("PATH", "");
    for (String p : path.split(java.io.File.pathSeparator)) {
      if (p.isEmpty()) {
        continue;
      }
      Path c = Path.of(p, "docker");
      if (Files.isRegularFile(c) && Files.isExecutable(c)) {
        return c.toAbsolutePath();
      }
    }
    return null;
  }

  // ------------------------------------------------------------------------------------------------- Jib

  private static Layout containerize(JibContainerBuilder b, boolean insecure, Path dir, Options options,
      Progress progress, List<ContextLayer> fileLayers) throws IOException, InterruptedException {
    Path cache = options.cache().resolve("jib");
    // Jib "loads" the image into this client, which writes the layout folder: base layers (hard links into the
    // base-layer cache, verified against their digests), then berth's own file layers
    LayoutClient client = new LayoutClient(dir, cache.resolve("base"), options.cache().resolve("layers"),
        fileLayers);
    Containerizer c = Containerizer.to(client, DockerDaemonImage.named(BUILD_REF))
        .setBaseImageLayersCache(cache.resolve("base"))
        .setApplicationLayersCache(cache.resolve("app"))
        .setAllowInsecureRegistries(insecure)
        .setToolName("berth")
        .addEventHandler(LogEvent.class, e -> {
          switch (e.getLevel()) {
            case ERROR, WARN -> progress.warn(e.getMessage());
            case LIFECYCLE, INFO -> progress.detail(e.getMessage());
            default -> { }
          }
        });
    long t0 = System.nanoTime();
    try {
      b.containerize(c);
    } catch (RegistryException e) {
      throw registryFailure(e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof RegistryException re) {
        throw registryFailure(re);
      }
      if (cause instanceof BerthException be) {
        throw be;
      }
      throw BerthException.failed("image build failed: " + cause.getMessage(), cause);
    } catch (CacheDirectoryCreationException e) {
      throw BerthException.failed("cannot create the layer cache under " + cache + ": " + e.getMessage(), e);
    }
    progress.detail("OCI layout written in " + (System.nanoTime() - t0) / 1_000_000 + " ms ("
        + client.linked + " base layer" + (client.linked == 1 ? "" : "s") + " taken from the cache " + cache
        + ", " + fileLayers.size() + " file layer" + (fileLayers.size() == 1 ? "" : "s") + " written)");
    return new Layout(dir, ImageArchive.readIndexDigest(dir));
  }

  /** The docker client Jib loads the built image into: it writes the OCI layout folder. */
  private static final class LayoutClient implements DockerClient {
    private final Path dir;
    private final Path baseCache;
    private final Path layerCache;
    private final List<ContextLayer> fileLayers;
    int linked;

    LayoutClient(Path dir, Path baseCache, Path layerCache, List<ContextLayer> fileLayers) {
      this.dir = dir;
      this.baseCache = baseCache;
      this.layerCache = layerCache;
      this.fileLayers = fileLayers;
    }

    @Override
    public boolean supported(Map<String, String> parameters) {
      return true;
    }

    @Override
    public String load(ImageTarball tarball, java.util.function.Consumer<Long> written) throws IOException {
      Image image = imageOf(tarball);
      if (image == null || image.getImageFormat() != OciManifestTemplate.class) {
        throw BerthException.failed("cannot read the image Jib built (Jib " + JIB_VERSION + " expected)");
      }
      writeLayout(image);
      return "";
    }

    /**
     * The layout: base layer blobs (hard links into Jib's base-layer cache, whose files are named by digests Jib
     * computed while pulling, verified here again before use), berth's file layers, the config (Jib's, with the
     * file layers' diff ids and history appended), the manifest, oci-layout and index.json.
     */
    private void writeLayout(Image image) throws IOException {
      Path blobs = dir.resolve("blobs").resolve("sha256");
      Files.createDirectories(blobs);
      OciManifestTemplate manifest = new OciManifestTemplate();
      for (Layer layer : layersOf(image)) {
        DescriptorDigest digest = layer.getBlobDescriptor().getDigest();
        long size = layer.getBlobDescriptor().getSize();
        Path target = blobs.resolve(digest.getHash());
        if (linkFromCache(digest.getHash(), size, target)) {
          linked++;
        } else {
          MessageDigest md = dev.berth.image.Digests.newSha256();
          try (OutputStream out = new java.security.DigestOutputStream(
              new java.io.BufferedOutputStream(Files.newOutputStream(target), 1 << 16), md)) {
            layer.getBlob().writeTo(out);
          }
          if (!dev.berth.image.Digests.hex(md).equals(digest.toString())) {
            throw BerthException.failed("base layer " + digest + " does not match its digest (the layer cache under "
                + baseCache + " is damaged; delete it)");
          }
        }
        manifest.addLayer(size, digest);
      }
      ContainerConfigurationTemplate config =
          (ContainerConfigurationTemplate) new ImageToJsonTranslator(image).getContainerConfiguration();
      for (ContextLayer l : fileLayers) {
        ContextLayer.Written w = l.writeTo(blobs, layerCache);
        manifest.addLayer(w.size(), descriptorDigest(w.digest()));
        config.addLayerDiffId(descriptorDigest(w.diffId()));
        config.addHistoryEntry(HistoryEntry.builder().setCreationTimestamp(Instant.EPOCH).setAuthor("berth")
            .setCreatedBy("berth").setComment(l.name()).build());
      }
      BlobDescriptor configDescriptor = Digests.computeDigest(config);
      manifest.setContainerConfiguration(configDescriptor.getSize(), configDescriptor.getDigest());
      Files.write(blobs.resolve(configDescriptor.getDigest().getHash()), JsonTemplateMapper.toByteArray(config));
      BlobDescriptor manifestDescriptor = Digests.computeDigest(manifest);
      Files.write(blobs.resolve(manifestDescriptor.getDigest().getHash()), JsonTemplateMapper.toByteArray(manifest));
      ImageArchive.writeIndex(dir, manifestDescriptor.getDigest().toString(), manifestDescriptor.getSize());
    }

    /**
     * Hard-links (else copies) blob sha256:HEX of this size from Jib's base-layer cache ({@code layers/HEX/...})
     * when the cache holds it and its bytes still hash to HEX; false otherwise.
     */
    private boolean linkFromCache(String hex, long size, Path target) throws IOException {
      Path folder = baseCache.resolve("layers").resolve(hex);
      if (!Files.isDirectory(folder)) {
        return false;
      }
      Path cached;
      try (var files = Files.list(folder)) {
        cached = files.filter(f -> f.getFileName().toString().matches("[0-9a-f]{64}")).findFirst().orElse(null);
      }
      if (cached == null || !Files.isRegularFile(cached, java.nio.file.LinkOption.NOFOLLOW_LINKS)
          || Files.size(cached) != size) {
        return false;
      }
      MessageDigest md = dev.berth.image.Digests.newSha256();
      try (InputStream in = new java.security.DigestInputStream(Files.newInputStream(cached), md)) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      if (!dev.berth.image.Digests.hex(md).equals("sha256:" + hex)) {
        return false; // written again from Jib's blob, which is checked as it is written
      }
      Files.deleteIfExists(target);
      try {
        Files.createLink(target, cached);
      } catch (IOException | UnsupportedOperationException e) {
        Files.copy(cached, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      return true;
    }

    @Override
    public void save(ImageReference reference, Path out, java.util.function.Consumer<Long> written) {
      throw new UnsupportedOperationException("save");
    }

    @Override
    public ImageDetails inspect(ImageReference reference) {
      throw new UnsupportedOperationException("inspect");
    }
  }

  private static final String JIB_VERSION = "0.27.3";

  private static DescriptorDigest descriptorDigest(String digest) {
    try {
      return DescriptorDigest.fromDigest(digest);
    } catch (java.security.DigestException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final ImageReference BUILD_REF = ImageReference.of(null, "berth-build", "latest");

  /** Image.getLayers() (a Guava list; Guava is not on berth's compile path). */
  private static List<Layer> layersOf(Image image) throws IOException {
    try {
      List<Layer> out = new ArrayList<>();
      for (Object o : (List<?>) Image.class.getMethod("getLayers").invoke(image)) {
        out.add((Layer) o);
      }
      return out;
    } catch (ReflectiveOperationException e) {
      throw new IOException("cannot read the image's layers", e);
    }
  }

  /** The image an ImageTarball holds (its private field, Jib 0.27.3), or null when it cannot be read. */
  private static Image imageOf(ImageTarball tarball) {
    try {
      java.lang.reflect.Field f = ImageTarball.class.getDeclaredField("image");
      f.setAccessible(true);
      return f.get(tarball) instanceof Image i ? i : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }


  /** FROM --platform=..., read ahead of parsing (it picks the base image whose environment is read). */
  private static String platformOf(String dockerfile) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?im)^\\s*FROM\\s+--platform=(\\S+)")
        .matcher(dockerfile);
    return m.find() && !m.group(1).contains("$") ? m.group(1) : null;
  }

  private static BerthException registryFailure(RegistryException e) {
    if (e instanceof RegistryUnauthorizedException) {
      return BerthException.access("the base image's registry refused access: " + e.getMessage(), e);
    }
    return BerthException.failed("cannot read the base image: " + e.getMessage(), e);
  }

  static ImageReference parseRef(String s) {
    try {
      return jib(dev.berth.report.ImageReference.parse(s));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("FROM", e.getMessage());
    }
  }

  /** berth's parsed reference as Jib names it (Docker Hub's API host registry-1.docker.io). */
  static ImageReference jib(dev.berth.report.ImageReference r) {
    return ImageReference.of(r.apiHost(), r.repository(), r.tag(), r.digest());
  }



  /** Extracts the regular files of an image archive (plain or gzip) into dir (tests, the stand-in docker). */
  static void extract(Path archive, Path dir) throws IOException {
    ImageArchive.extract(archive, dir, name -> true);
  }

  /** The digest of the (first) manifest in a layout's index.json. */
  static String readDigest(Path layout) throws IOException {
    return ImageArchive.readIndexDigest(layout);
  }
}
