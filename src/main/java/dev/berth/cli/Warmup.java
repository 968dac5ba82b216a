package dev.berth.cli;

/**
 * Start-up work of a step that does not depend on its options, started on a second thread while the main thread
 * parses the command line and builds the AWS client. Each item is set-up that the step would otherwise run on the
 * main thread later, in about the order the main thread needs them: the annotations of the step's options
 * (picocli reads them first); berth's {@code Json} with Jackson's {@code ObjectMapper}, whose date format loads
 * the time-zone and calendar data (and, for {@code ecs-register-task}, the SDK shapes its file is checked
 * against); the JCA providers behind the HTTP client's {@code SSLContext.getInstance("TLS")} and the request
 * signer's HMAC-SHA256 and SHA-256; {@code BigDecimal}'s constants (the SDK's JSON parser needs them for the first
 * answer); the AWS SDK's endpoint metadata of all its services (the client builder's signing region reads it)
 * and the SigV4 signer of berth's light JSON client; Jackson's serializer of the step's result record (rendered last).
 * Class initialisation and Jackson's serializer cache are thread-safe: when the main thread needs one of these
 * first or meanwhile, it waits for that set-up or does it itself, so a step's result cannot differ, only its wall
 * time, on a machine with a second core free. Nothing here reads the environment, the network or the user's
 * files.
 */
final class Warmup {
  static final String[] CLASSES = {
      // berth's light JSON client of ECS and Application Auto Scaling: its JSON reader and its SigV4 signer
      "dev.berth.aws.JsonWire",
      "dev.berth.aws.SigV4",
      // BigDecimal's constants: the SDK's JSON parser sets up its own from them before it reads the first answer
      "java.math.BigDecimal",
      "software.amazon.awssdk.regions.internal.MetadataLoader",
  };

  private Warmup() {}

  /**
   * Starts the warm-up on a daemon thread (it never delays the JVM's exit) for a step's COMMAND class; null (no
   * step named first) starts nothing.
   */
  static void start(Class<?> command) {
    if (command == null) {
      return;
    }
    Thread t = new Thread(() -> run(command), "berth-warmup");
    t.setDaemon(true);
    t.setPriority(Thread.NORM_PRIORITY - 1);
    t.start();
  }

  static void run(Class<?> command) {
    annotations(command, new java.util.HashSet<>());
    ClassLoader loader = Warmup.class.getClassLoader();
    // berth's JSON first: ecs-register-task reads its task definition with it right after the options
    initialize(loader, "dev.berth.report.Json");
    if (command == EcsRegisterTaskCommand.class) {
      // the task definition's SDK shapes, against which the file is checked field by field
      initialize(loader, "dev.berth.taskdef.SdkJson");
    }
    try {
      javax.net.ssl.SSLContext.getInstance("TLS");
      // the request signer's first HMAC-SHA256 and SHA-256 (the JCA provider's set-up)
      javax.crypto.Mac.getInstance("HmacSHA256");
      java.security.MessageDigest.getInstance("SHA-256");
    } catch (Throwable e) {
      // the HTTP client and the signer report the same problem on the main thread
    }
    for (String name : CLASSES) {
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
