package dev.berth.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code berth}: the command line of the six steps. */
@Command(name = "berth",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Ship a container to Amazon ECS: push to ECR without a Docker daemon, register the task "
        + "definition, deploy the Fargate service and watch the rollout to a verdict.",
    footer = {"", "Exit codes: 0 ok, 1 the step ran and failed, 2 usage, 3 invalid input (nothing changed), "
        + "4 AWS or registry access, 5 timed out."},
    subcommands = {
        EcrPushCommand.class,
        EcsRegisterTaskCommand.class,
        EcsDeployServiceCommand.class,
        EcsScaleCommand.class,
        EcsForceRedeployCommand.class,
        EcsRunTaskCommand.class,
    })
public final class Main implements Runnable {
  /**
   * The steps, by command name. A run of one step builds the option model of that step only (start-up
   * time: picocli's model of all six steps costs about 100 ms); {@code new CommandLine(new Main())} is the
   * full model.
   */
  public static final java.util.Map<String, Class<? extends StepCommand>> STEPS;

  static {
    java.util.Map<String, Class<? extends StepCommand>> m = new java.util.LinkedHashMap<>();
    m.put("ecr-push", EcrPushCommand.class);
    m.put("ecs-register-task", EcsRegisterTaskCommand.class);
    m.put("ecs-deploy-service", EcsDeployServiceCommand.class);
    m.put("ecs-scale", EcsScaleCommand.class);
    m.put("ecs-force-redeploy", EcsForceRedeployCommand.class);
    m.put("ecs-run-task", EcsRunTaskCommand.class);
    STEPS = java.util.Collections.unmodifiableMap(m);
  }

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a step, for example: berth ecr-push --help");
  }

  public static void main(String[] args) {
    if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
      // fast path: no option model needed to print the version
      System.out.println("berth " + version());
      System.exit(0);
    }
    Class<?> step = args.length > 0 ? STEPS.get(args[0]) : null;
    if (step != null && !Warmup.onlyHelp(args)) {
      boolean[] needs = Warmup.needs(step, args, System.getenv());
      Warmup.start(step, needs[0], needs[1]);
    }
    int code = run(args, System.getenv(), System.out, System.err);
    System.exit(code);
  }

  /** Runs berth in this process with the given environment and streams; returns the exit code. */
  public static int run(String[] given, Map<String, String> env, PrintStream out, PrintStream err) {
    String[] args = stepFirst(given);
    StepCommand.Runtime runtime = new StepCommand.Runtime(env, out, err);
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    CommandLine.IFactory factory = new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> cls) throws Exception {
        K k = defaults.create(cls);
        if (k instanceof StepCommand sc) {
          sc.init(runtime);
        }
        return k;
      }
    };
    CommandLine cl = commandLine(factory, args.length > 0 ? args[0] : null);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.registerConverter(java.time.Duration.class, new DurationConverter());
    UsageErrors.install(cl, runtime);
    return cl.execute(args);
  }

  /**
   * The options every step takes may come before the step name too ({@code berth --region us-east-2 ecs-scale
   * ...}): they are moved behind it, where picocli reads them. Anything else before the step is left in place
   * (and reported as a usage error).
   */
  static String[] stepFirst(String[] args) {
    if (args.length == 0 || !args[0].startsWith("-") || STEPS.containsKey(args[0])) {
      return args;
    }
    Map<String, Boolean> common = commonOptions();
    int i = 0;
    while (i < args.length && !STEPS.containsKey(args[i])) {
      String a = args[i];
      int eq = a.indexOf('=');
      String name = a.startsWith("--") && eq > 0 ? a.substring(0, eq) : a;
      Boolean takesValue = common.get(name);
      if (takesValue == null && a.matches("-[vq]+")) {
        takesValue = false; // clustered short flags: -vv, -qv
      }
      if (takesValue == null) {
        return args;
      }
      i += takesValue && eq < 0 ? 2 : 1;
    }
    if (i >= args.length) {
      return args;
    }
    String[] moved = new String[args.length];
    moved[0] = args[i];
    System.arraycopy(args, 0, moved, 1, i);
    System.arraycopy(args, i + 1, moved, i + 1, args.length - i - 1);
    return moved;
  }

  /** The common options' names, each with whether it takes a value. */
  private static Map<String, Boolean> commonOptions() {
    Map<String, Boolean> names = new java.util.HashMap<>();
    for (CommandLine.Model.OptionSpec o : CommandLine.Model.CommandSpec.forAnnotatedObject(new CommonOptions())
        .options()) {
      for (String n : o.names()) {
        names.put(n, o.arity().max() > 0);
      }
    }
    return names;
  }

  /**
   * The command line with every step, or, when {@code only} names a step, with that step alone (the
   * others' option models are not built).
   */
  public static CommandLine commandLine(CommandLine.IFactory factory, String only) {
    CommandLine cl;
    if (only == null || !STEPS.containsKey(only)) {
      cl = new CommandLine(new Main(), factory);
    } else {
      cl = new CommandLine(new Lean(), factory);
      cl.addSubcommand(only, new CommandLine(STEPS.get(only), factory));
    }
    // An argument is a value, never a file of more arguments: picocli's @FILE expansion would read any file
    // a build parameter names (tag: readFile('VERSION')) into the command line and echo it in the log.
    cl.setExpandAtFiles(false);
    return cl;
  }

  /** The root command without its subcommands' models; one step is added to it. */
  @Command(name = "berth", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
      addMethodSubcommands = false)
  static final class Lean implements Runnable {
    @Override
    public void run() {}
  }

  /** The full model (all steps), for documentation generators and consistency tests. */
  public static CommandLine commandLine() {
    return commandLine(CommandLine.defaultFactory(), null);
  }

  /** The version from the build. */
  public static String version() {
    try (InputStream in = Main.class.getResourceAsStream("/dev/berth/version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"berth " + version()};
    }
  }
}
