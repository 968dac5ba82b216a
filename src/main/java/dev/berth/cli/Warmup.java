package dev.berth.cli;

/**
 * Start-up work of an {@code ecs-*} or {@code ecr-push} step that does not depend on its options, started on a
 * second thread while the main thread parses the command line and builds the AWS client. Each item is set-up
 * that the step would otherwise run on the main thread later: the JCA providers behind the HTTP client's
 * {@code SSLContext.getInstance("TLS")} and the request signer's HMAC-SHA256 and SHA-256; {@code BigDecimal}'s
 * constants (the SDK's JSON parser needs them for the first answer); the AWS SDK's endpoint metadata of all its
 * services (the client builder's signing region reads it); berth's {@code Json} with Jackson's
 * {@code ObjectMapper}, whose date format loads the time-zone and calendar data. Class initialisation is
 * thread-safe: when the main thread needs one of these first or meanwhile, it waits for that set-up or does it
 * itself, so a step's result cannot differ, only its wall time, on a machine with a second core free. Nothing
 * here reads the environment, the network or the user's files.
 */
final class Warmup {
  private static final String[] CLASSES = {
      // BigDecimal's constants: the SDK's JSON parser sets up its own from them before it reads the first answer
      "java.math.BigDecimal",
      "software.amazon.awssdk.regions.internal.MetadataLoader",
      // berth's result rendering: Jackson's ObjectMapper (its date format loads the time-zone and calendar data)
      "dev.berth.report.Json",
  };

  private Warmup() {}

  /** Starts the warm-up on a daemon thread (it never delays the JVM's exit) when STEP is one that pays for it. */
  static void start(String step) {
    if (step == null || !(step.startsWith("ecs-") || step.equals("ecr-push"))) {
      return;
    }
    Thread t = new Thread(Warmup::run, "berth-warmup");
    t.setDaemon(true);
    t.setPriority(Thread.NORM_PRIORITY - 1);
    t.start();
  }

  static void run() {
    try {
      javax.net.ssl.SSLContext.getInstance("TLS");
      // the request signer's first HMAC-SHA256 and SHA-256 (the JCA provider's set-up)
      javax.crypto.Mac.getInstance("HmacSHA256");
      java.security.MessageDigest.getInstance("SHA-256");
    } catch (Throwable e) {
      // the HTTP client and the signer report the same problem on the main thread
    }
    ClassLoader loader = Warmup.class.getClassLoader();
    for (String name : CLASSES) {
      try {
        Class.forName(name, true, loader);
      } catch (Throwable e) {
        // a class that cannot be set up fails the same way where the step uses it
      }
    }
  }
}
