package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
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
  void unmarshallerSetUp_isStillAPublicStaticMethodOfTheSdk() throws Exception {
    // by name in Warmup: an SDK upgrade that drops it would only lose the warm-up silently; this says so
    Method m = Class.forName(Warmup.UNMARSHALLER).getMethod("defaultProtocolUnmarshallDependencies");
    assertTrue(Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0, m.toString());
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
    Warmup.start(null);
    assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> !before.contains(t)
        && t.getName().equals("berth-warmup")), "a warm-up thread without a step");
  }
}
