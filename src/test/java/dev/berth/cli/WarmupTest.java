package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WarmupTest {
  @Test
  void annotations_ofAStep_visitItsClassItsSuperclassesAndItsOptionClasses() {
    Set<Class<?>> seen = new LinkedHashSet<>();
    Warmup.annotations(EcsScaleCommand.class, seen);
    assertEquals(EcsScaleCommand.class, seen.iterator().next(), "leaf first: " + seen);
    assertTrue(seen.contains(StepCommand.class), seen.toString());
    assertTrue(seen.contains(CommonOptions.class), "the @Mixin's class: " + seen);
    assertTrue(seen.stream().allMatch(c -> c.getName().startsWith("dev.berth.")), seen.toString());
  }

  @Test
  void classes_everyNameItSetsUp_existsOnTheClassPath() throws Exception {
    // by name in Warmup (a failure there is swallowed): a rename would only lose the warm-up silently
    for (String name : Warmup.CLASSES) {
      Class.forName(name, false, Warmup.class.getClassLoader());
    }
  }

  @Test
  void serializers_ofAResult_visitTheBerthTypesItsComponentsHold() throws Exception {
    java.util.Set<Class<?>> seen = new java.util.LinkedHashSet<>();
    Warmup.serializers(Class.forName(Warmup.resultType(EcsScaleCommand.class)), seen);
    assertTrue(seen.contains(dev.berth.report.Change.class), "List<Change> changes: " + seen);
    assertTrue(seen.stream().allMatch(c -> c.getName().startsWith("dev.berth.")), seen.toString());
  }

  @Test
  void needs_ofARun_warmTlsAndEndpointMetadataOnlyWhereTheRunMayUseThem() {
    java.util.Map<String, String> none = java.util.Map.of();
    String[] scale = {"ecs-scale", "--cluster", "c", "--service", "s", "--desired-count", "2"};
    assertTrue(java.util.Arrays.equals(new boolean[] {true, true}, Warmup.needs(EcsScaleCommand.class, scale, none)),
        "AWS itself: TLS and the endpoint metadata");
    String[] emulator = {"ecs-scale", "--endpoint-url", "http://127.0.0.1:5000", "--service", "s"};
    assertTrue(java.util.Arrays.equals(new boolean[] {false, false},
        Warmup.needs(EcsScaleCommand.class, emulator, none)), "a plain-http endpoint, light clients only");
    assertTrue(java.util.Arrays.equals(new boolean[] {false, true},
        Warmup.needs(EcsDeployServiceCommand.class, emulator, none)), "deploy's SDK clients read the metadata");
    assertTrue(java.util.Arrays.equals(new boolean[] {true, false}, Warmup.needs(EcsScaleCommand.class, scale,
        java.util.Map.of("AWS_ENDPOINT_URL", "https://gateway.example.com"))), "an https endpoint from the env");
    assertTrue(java.util.Arrays.equals(new boolean[] {false, false}, Warmup.needs(EcsRegisterTaskCommand.class,
        new String[] {"ecs-register-task", "--endpoint-url=HTTP://localhost:4566"}, none)));
    assertTrue(java.util.Arrays.equals(new boolean[] {true, true}, Warmup.needs(EcsScaleCommand.class,
        new String[] {"ecs-scale", "--", "--endpoint-url", "http://x"}, none)), "after --, not an option");
    assertTrue(java.util.Arrays.equals(new boolean[] {true, false}, Warmup.needs(EcrPushCommand.class,
        new String[] {"ecr-push", "--repository", "r"}, java.util.Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"))),
        "ecr-push: its registries may be https");
  }

  @Test
  void onlyHelp_whenHelpOrVersionIsAsked_isTrue_andNotForAValueAfterDoubleDash() {
    assertTrue(Warmup.onlyHelp(new String[] {"ecs-scale", "--help"}));
    assertTrue(Warmup.onlyHelp(new String[] {"ecs-deploy-service", "--cluster", "c", "-h"}));
    assertTrue(!Warmup.onlyHelp(new String[] {"ecs-scale", "--cluster", "c", "--service", "s"}));
    assertTrue(!Warmup.onlyHelp(new String[] {"ecs-run-task", "--", "--help"}), "the task's own command");
  }

  @Test
  void resultType_ofEveryStep_namesAResultRecordInTheStepsPackage() throws Exception {
    for (Class<? extends StepCommand> step : Main.STEPS.values()) {
      Class<?> result = Class.forName(Warmup.resultType(step));
      assertTrue(result.isRecord() && result.getName().startsWith("dev.berth.step."), result.getName());
    }
  }

  @Test
  void start_withoutAStep_startsNoThread() {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    Warmup.start(null, true, true);
    assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> !before.contains(t)
        && t.getName().equals("berth-warmup")), "a warm-up thread without a step");
  }
}
