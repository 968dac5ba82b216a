package dev.berth.cli;

/**
 * Start-up work of a step that does not depend on its options, started on a second thread while the main thread
 * parses the command line and builds the AWS client. Each item is set-up that the step would otherwise run on the
 * main thread later, in about the order the main thread needs them: the annotations of the step's options
 * (picocli reads them first); berth's {@code Json} with Jackson's {@code ObjectMapper}, whose date format loads
 * the time-zone and calendar data, and Jackson's parser (and, for {@code ecs-register-task}, the SDK shapes its
 * file is checked against); the JCA providers behind {@code SSLContext.getInstance("TLS")} and the request
 * signer's HMAC-SHA256 and SHA-256; the light JSON client's reader and SigV4 signer; {@code BigDecimal}'s
 * constants; the AWS SDK's endpoint metadata of all its services (the light clients' endpoints, the SDK clients'
 * signing region); Jackson's serializers of the step's result record and the types it holds (rendered last).
 * Class initialisation and Jackson's serializer cache are thread-safe: when the main thread needs one of these
 * first or meanwhile, it waits for that set-up or does it itself, so a step's result cannot differ, only its wall
 * time, on a machine with a second core free. Nothing here reads the environment, the network or the user's
 * files; Main says which of TLS and the endpoint metadata the run may use ({@link #needs}).
 */
final class Warmup {
  static final String[] CLASSES = {
      // berth's light JSON client of ECS and Application Auto Scaling: its JSON reader and its SigV4 signer
      "dev.berth.aws.JsonWire",
      "dev.berth.aws.SigV4",
      // BigDecimal's constants: the SDK's JSON parser sets up its own from them before it reads the first answer
      "java.math.BigDecimal",
      // the SDK's endpoint metadata of all its services (the endpoints of the light clients, the signing region of
      // the SDK's clients)
      Warmup.METADATA,
  };

  static final String METADATA = "software.amazon.awssdk.regions.internal.MetadataLoader";

  private Warmup() {}

  /**
   * Starts the warm-up on a daemon thread (it never delays the JVM's exit) for a step's COMMAND class; null (no
   * step named first) starts nothing. TLS is set up only when a call may go over https
   * (no plain-http endpoint given), the SDK's endpoint metadata only when a call may need it (no endpoint given,
   * or a step that builds an SDK client, which reads it for its signing region). What a run does not use is not
   * only wasted work here: the step's start-up cache records every class the recording run loaded, and the JVM
   * loads all of them at every later start.
   */
  static void start(Class<?> command, boolean tls, boolean endpointMetadata) {
    if (command == null) {
      return;
    }
    Thread t = new Thread(() -> run(command, tls, endpointMetadata), "berth-warmup");
    t.setDaemon(true);
    t.setPriority(Thread.NORM_PRIORITY - 1);
    t.start();
  }

  /**
   * Steps whose AWS calls all go through berth's own clients (the light JSON clients, ecr-push's ECR client) when
   * their endpoint is given: they read the SDK's endpoint metadata only to find an endpoint.
   */
  static final java.util.Set<Class<?>> LIGHT_ONLY = java.util.Set.of(EcsScaleCommand.class,
      EcsForceRedeployCommand.class, EcsRegisterTaskCommand.class, EcrPushCommand.class);

  /**
   * What the warm-up of a step needs to know of its run, from its arguments and environment: whether TLS
   * may be used and whether the SDK's endpoint metadata may be read (see {@link #start(Class, boolean, boolean)}).
   * An endpoint is given by {@code --endpoint-url} or {@code AWS_ENDPOINT_URL}; when unsure, both are warmed.
   */
  static boolean[] needs(Class<?> command, String[] args, java.util.Map<String, String> env) {
    String endpoint = null;
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--endpoint-url") && i + 1 < args.length) {
        endpoint = args[i + 1];
      } else if (args[i].startsWith("--endpoint-url=")) {
        endpoint = args[i].substring("--endpoint-url=".length());
      } else if (args[i].equals("--")) {
        break;
      }
    }
    if (endpoint == null) {
      endpoint = env.get("AWS_ENDPOINT_URL");
    }
    boolean given = endpoint != null && !endpoint.isBlank();
    boolean plainHttp = given && endpoint.trim().regionMatches(true, 0, "http://", 0, 7);
    // ecr-push also talks to registries, which may be https whatever the ECR API's endpoint is
    boolean tls = !plainHttp || command == EcrPushCommand.class;
    return new boolean[] {tls, !given || !LIGHT_ONLY.contains(command)};
  }

  /** True when the run only prints help or the version ({@code -h}, {@code --help}, {@code -V}, {@code --version}). */
  static boolean onlyHelp(String[] args) {
    for (String a : args) {
      if (a.equals("--")) {
        return false;
      }
      if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
        return true;
      }
    }
    return false;
  }

  static void run(Class<?> command, boolean tls, boolean endpointMetadata) {
    annotations(command, new java.util.HashSet<>());
    ClassLoader loader = Warmup.class.getClassLoader();
    // berth's JSON first: ecs-register-task reads its task definition with it right after the options
    initialize(loader, "dev.berth.report.Json");
    try {
      // Jackson's parser (its base class sets up big-number constants): a step's first JSON read, of its file or
      // of the first answer
      dev.berth.report.Json.mapper().readTree("{\"a\":[1.5,\"b\",true,null]}");
    } catch (Throwable e) {
      // the step's first read sets it up instead
    }
    if (command == EcsRegisterTaskCommand.class) {
      // the task definition's SDK shapes, against which the file is checked field by field
      initialize(loader, "dev.berth.taskdef.SdkJson");
    }
    try {
      if (tls) {
        javax.net.ssl.SSLContext.getInstance("TLS");
      }
      // the request signer's first HMAC-SHA256 and SHA-256 (the JCA provider's set-up)
      javax.crypto.Mac.getInstance("HmacSHA256");
      java.security.MessageDigest.getInstance("SHA-256");
    } catch (Throwable e) {
      // the HTTP client and the signer report the same problem on the main thread
    }
    for (String name : CLASSES) {
      if (!endpointMetadata && name.equals(METADATA)) {
        continue;
      }
      initialize(loader, name);
    }
    try {
      // the serializer of the step's result (Jackson builds it from the records' accessors once per process):
      // the last thing the step does is render its result
      Class<?> result = Class.forName(resultType(command), false, loader);
      serializers(result, new java.util.HashSet<>());
    } catch (Throwable e) {
      // the step renders its result as before
    }
  }

  /**
   * Builds Jackson's serializer of TYPE and of the berth types its record components hold (lists' and maps' too),
   * which Jackson would otherwise build, with the annotations they carry, while the main thread renders.
   */
  static void serializers(Class<?> type, java.util.Set<Class<?>> seen) {
    if (type == null || !type.getName().startsWith("dev.berth.") || !seen.add(type)) {
      return;
    }
    dev.berth.report.Json.mapper().canSerialize(type);
    if (type.isRecord()) {
      for (java.lang.reflect.RecordComponent c : type.getRecordComponents()) {
        visit(c.getGenericType(), seen);
      }
    }
  }

  private static void visit(java.lang.reflect.Type t, java.util.Set<Class<?>> seen) {
    if (t instanceof Class<?> c) {
      serializers(c, seen);
    } else if (t instanceof java.lang.reflect.ParameterizedType p) {
      for (java.lang.reflect.Type a : p.getActualTypeArguments()) {
        visit(a, seen);
      }
    }
  }

  /** The step's result record: {@code dev.berth.step.EcsScale.Result} for {@code EcsScaleCommand}. */
  static String resultType(Class<?> command) {
    return "dev.berth.step." + command.getSimpleName().replaceFirst("Command$", "") + "$Result";
  }

  private static void initialize(ClassLoader loader, String name) {
    try {
      Class.forName(name, true, loader);
    } catch (Throwable e) {
      // a class that cannot be set up fails the same way where the step uses it
    }
  }

  /**
   * Reads the annotations of the command class, its superclasses and the option classes its fields hold
   * ({@code @Mixin}), leaf first: the JDK parses each member's annotations once and keeps them, and picocli's
   * option model, built from them on the main thread meanwhile, finds them parsed (its largest start-up cost).
   */
  static void annotations(Class<?> type, java.util.Set<Class<?>> seen) {
    for (Class<?> c = type; c != null && c != Object.class && seen.add(c); c = c.getSuperclass()) {
      try {
        c.getAnnotations();
        for (java.lang.reflect.Field f : c.getDeclaredFields()) {
          if (f.getDeclaredAnnotations().length > 0 && f.getType().getName().startsWith("dev.berth.")) {
            annotations(f.getType(), seen);
          }
        }
        for (java.lang.reflect.Method m : c.getDeclaredMethods()) {
          m.getDeclaredAnnotations();
        }
      } catch (Throwable e) {
        // picocli reads the same annotations and reports what is wrong with them
      }
    }
  }
}
