package dev.berth.cli;

import dev.berth.image.DockerfileParser;
import dev.berth.image.RegistryLogins;
import dev.berth.image.LocalImages;
import dev.berth.image.RegistryCredentials;
import dev.berth.image.Source;
import dev.berth.report.ImageReference;
import dev.berth.report.InvalidInputException;
import dev.berth.report.Json;
import dev.berth.report.NameValues;
import dev.berth.report.SecretMasker;
import dev.berth.report.Violation;
import dev.berth.step.EcrPush;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code berth ecr-push}: ensure the ECR repository, copy the image into it exactly, tag it. */
@Command(name = "ecr-push", addMethodSubcommands = false,
    header = "Push an image to ECR without a Docker daemon (exact copy, Dockerfile, archive); returns its digest.", mixinStandardHelpOptions = true,
    description = {"Ensure the ECR repository (tag immutability, scan on push, lifecycle) and push an image into it "
        + "without a Docker daemon: copied from a registry, built from a Dockerfile (the daemonless subset), or "
        + "read from an archive or a local Docker engine. A registry image is copied exactly: same manifest "
        + "bytes, same digest; a "
        + "multi-platform manifest list stays one. A tag that already names the same digest is success "
        + "(\"pushed\": false); on an immutable repository a tag naming another digest fails (exit 1) and "
        + "nothing is overwritten."})
public class EcrPushCommand extends StepCommand {
  static final String SOURCE_PASSWORD_ENV = "BERTH_SOURCE_PASSWORD";
  static final String SOURCE_USERNAME_ENV = "BERTH_SOURCE_USERNAME";
  /** {@code --build-arg NAME=VALUE}, or {@code NAME} alone (its value from the environment). */
  static final NameValues.Option BUILD_ARG = new NameValues.Option("--build-arg", "NAME=VALUE",
      DockerfileParser.ARG_NAME, "a Dockerfile ARG name: letters, digits and _, not starting with a digit", true,
      false);
  static final String REGISTRY_ENDPOINT_ENV = "BERTH_REGISTRY_ENDPOINT";

  @Option(names = "--repository", paramLabel = "NAME", required = true,
      description = "ECR repository name; created when missing (default: required).")
  String repository;

  @Option(names = "--tag", paramLabel = "TAG",
      description = "Tag to put on the image; repeat for several (default: the --image reference's tag, else "
          + "latest).")
  List<String> tags = new ArrayList<>();

  @Option(names = "--image", paramLabel = "REF",
      description = "Copy this registry image ([REGISTRY/]REPOSITORY[:TAG][@DIGEST]; Docker Hub when no "
          + "registry is named; loopback registries are spoken to over http) (default: none).")
  String image;

  @Option(names = "--oci-layout", paramLabel = "DIR",
      description = "Push the image of this OCI image layout directory (default: none).")
  Path ociLayout;

  @Option(names = "--oci-layout-ref", paramLabel = "NAME",
      description = "Which manifest of --oci-layout's index.json to push, by its "
          + "org.opencontainers.image.ref.name annotation (default: the only one).")
  String ociLayoutRef;

  @Option(names = "--dockerfile", paramLabel = "PATH",
      description = "Build this Dockerfile without a Docker daemon (FROM, COPY, ADD of local files, ENV, ARG, LABEL, "
          + "EXPOSE, WORKDIR, USER, VOLUME, ENTRYPOINT, CMD; RUN and multi-stage builds are refused) "
          + "(default: none).")
  Path dockerfile;

  @Option(names = "--context", paramLabel = "DIR",
      description = "Build context of --dockerfile; its .dockerignore is honoured (default: the Dockerfile's "
          + "folder).")
  Path buildContext;

  @Option(names = "--build-arg", paramLabel = "NAME=VALUE",
      description = "Value of a Dockerfile ARG; repeat for several, each name once; NAME alone takes the value "
          + "from the environment (default: the ARG's own default).")
  List<String> buildArgs = new ArrayList<>();

  @Option(names = "--tar", paramLabel = "PATH",
      description = "Push the image of this archive, as docker save or an OCI layout archive writes it (plain or "
          + "gzip) (default: none).")
  Path tar;

  @Option(names = "--docker-daemon", paramLabel = "REF",
      description = "Push this image of the local Docker engine, read with the docker CLI on PATH (docker save) "
          + "(default: none).")
  String dockerDaemon;

  @Option(names = "--registry-id", paramLabel = "ACCOUNT",
      description = "Account id of the registry to push to (cross-account) (default: the caller's account).")
  String registryId;

  @Option(names = "--mutable-tags",
      description = "Create the repository with mutable tags (default: false: tags are immutable).")
  boolean mutableTags;

  @Option(names = "--keep-images", paramLabel = "N",
      description = "Lifecycle policy keeping the N most recent images (default: no lifecycle policy).")
  Integer keepImages;

  @Option(names = "--registry-endpoint", paramLabel = "URL",
      description = "Send image traffic to this registry URL instead of the repository URI's host (emulators, "
          + "mirrors); plain http only for loopback hosts (default: BERTH_REGISTRY_ENDPOINT, else the "
          + "repository URI's host over https).")
  String registryEndpoint;

  @Option(names = "--source-username", paramLabel = "USER",
      description = "User name for the --image registry; the password is read from the environment variable "
          + SOURCE_PASSWORD_ENV + " (default: " + SOURCE_USERNAME_ENV + "; without a user name, credentials from the "
          + "Docker config file, else anonymous).")
  String sourceUsername;

  @Option(names = "--parallel", paramLabel = "N",
      description = "How many blobs are copied at once (default: " + EcrPush.DEFAULT_PARALLELISM + ").")
  int parallel = EcrPush.DEFAULT_PARALLELISM;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30m",
      description = "Deadline for the whole push (repository, build or copy, upload), e.g. 90s, 10m, 1h; exit 5 after it. Default: ${DEFAULT-VALUE}.")
  java.time.Duration timeout;

  @Option(names = "--dry-run",
      description = "Make only read calls and print the plan: the repository, lifecycle policy and tags that would be created or moved, with the image's digest (default: off). Nothing is created, uploaded or tagged; the result has \"dryRun\": true and \"changes\".")
  boolean dryRun;

  @Override
  protected java.time.Duration deadline() {
    return timeout;
  }

  @Override
  protected Object execute(Context context) {
    warmUpResultRendering();
    List<Violation> violations = new ArrayList<>();
    List<String> given = new ArrayList<>();
    if (image != null) {
      given.add("--image");
    }
    if (ociLayout != null) {
      given.add("--oci-layout");
    }
    if (dockerfile != null) {
      given.add("--dockerfile");
    }
    if (tar != null) {
      given.add("--tar");
    }
    if (dockerDaemon != null) {
      given.add("--docker-daemon");
    }
    int sources = given.size();
    if (sources > 1) {
      violations.add(Violation.error(given.get(1), "give exactly one source of --image, --dockerfile, --tar, "
          + "--docker-daemon, --oci-layout; got " + String.join(" and ", given)));
    }
    if (dockerfile == null && buildContext != null) {
      violations.add(Violation.error("--context", "--context goes with --dockerfile"));
    }
    if (dockerfile == null && !buildArgs.isEmpty()) {
      violations.add(Violation.error("--build-arg", "--build-arg goes with --dockerfile"));
    }
    NameValues.Parsed parsedArgs = NameValues.parse(BUILD_ARG, buildArgs);
    violations.addAll(parsedArgs.violations());
    java.util.Map<String, String> args = new java.util.LinkedHashMap<>();
    for (NameValues.Pair a : parsedArgs.pairs()) {
      String value = a.value() != null ? a.value() : context.env().get(a.name());
      if (value != null) {
        args.put(a.name(), value);
      }
    }
    Source source = null;
    if (image != null) {
      try {
        source = new Source.Remote(ImageReference.parse(image));
      } catch (IllegalArgumentException e) {
        violations.add(Violation.error("--image", e.getMessage()));
      }
    } else if (ociLayout != null) {
      source = new Source.OciLayout(ociLayout, ociLayoutRef);
    } else if (dockerfile != null) {
      source = new Source.Local(new LocalImages.DockerfileSource(dockerfile, buildContext, args), context.env());
    } else if (tar != null) {
      source = new Source.Local(new LocalImages.TarSource(tar), context.env());
    } else if (dockerDaemon != null) {
      source = new Source.Local(new LocalImages.DockerDaemonSource(dockerDaemon), context.env());
    }
    RegistryCredentials sourceCredentials = null;
    String sourceUser = sourceUsername != null ? sourceUsername : context.env().get(SOURCE_USERNAME_ENV);
    if (sourceUser != null && !sourceUser.isEmpty()) {
      String password = context.env().get(SOURCE_PASSWORD_ENV);
      if (password == null || password.isEmpty()) {
        violations.add(Violation.error("--source-username", "the password is read from " + SOURCE_PASSWORD_ENV
            + ", which is not set"));
      } else {
        SecretMasker.global().register(password);
        sourceCredentials = new RegistryCredentials(sourceUser, password);
      }
    }
    String endpointText = registryEndpoint != null ? registryEndpoint : context.env().get(REGISTRY_ENDPOINT_ENV);
    URI endpoint = null;
    if (endpointText != null && !endpointText.isBlank()) {
      try {
        endpoint = new URI(endpointText.trim());
      } catch (URISyntaxException e) {
        violations.add(Violation.error("--registry-endpoint", "'" + endpointText + "' is not a URL"));
      }
    }
    EcrPush.Request request = new EcrPush.Request(repository, registryId, tags, sources > 1 ? null : source,
        mutableTags, keepImages, endpoint, sourceCredentials, RegistryLogins.configFile(context.env()), parallel, dryRun);
    // with problems of its own, the command reports the step's (and the local source's) too, else the step does
    List<Violation> fromStep = violations.isEmpty() ? List.of() : EcrPush.check(request);
    if (sources > 1 || (image != null && source == null)) {
      fromStep = new ArrayList<>(fromStep);
      fromStep.removeIf(v -> v.where().equals("--image") && v.message().startsWith("no image source"));
    }
    violations.addAll(fromStep);
    InvalidInputException.throwIfAny(violations);
    return new EcrPush(context.aws(), context.env(), context.progress()).run(request);
  }

  /**
   * Starting Jackson and introspecting the result record costs more than a warm copy takes; it is done on a
   * background thread while the push waits for the network, so rendering the result at the end is quick.
   */
  private static void warmUpResultRendering() {
    Thread t = new Thread(() -> {
      try {
        Json.write(Json.tree(new EcrPush.Result("r", "u", List.of("t"), "d", "i", "m", false, false, List.of(), "s",
            0, 0, 0, 0, "x", null, List.of())));
      } catch (RuntimeException e) {
        // only a warm-up: the real rendering reports its own problems
      }
    }, "berth-warm-up");
    t.setDaemon(true);
    t.start();
  }
}
