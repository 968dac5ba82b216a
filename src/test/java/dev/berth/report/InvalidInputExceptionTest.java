package dev.berth.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class InvalidInputExceptionTest {
  @Test
  void message_whenTheSameViolationIsFoundTwice_listsItOnce() {
    Violation v = Violation.error("--autoscaling-min", "minimum 5 is above maximum 2");
    InvalidInputException e = new InvalidInputException(List.of(v, v));
    assertEquals(List.of(v), e.violations());
    assertEquals("invalid input: --autoscaling-min: minimum 5 is above maximum 2", e.getMessage());
  }

  @Test
  void message_withSeveralErrors_listsEveryOneAndLeavesWarningsOut() {
    InvalidInputException e = new InvalidInputException(List.of(
        Violation.error("--cpu", "256 does not allow 4096 MiB"),
        Violation.warning("--env DB_PASSWORD", "looks like a secret"),
        Violation.error("containerDefinitions[0].memmory", "unknown field, did you mean memory?")));
    assertEquals("invalid input (2 problems):\n  - --cpu: 256 does not allow 4096 MiB\n"
        + "  - containerDefinitions[0].memmory: unknown field, did you mean memory?", e.getMessage());
    assertEquals(3, e.violations().size());
  }

  @Test
  void throwIfAny_withWarningsOnly_doesNotThrow() {
    InvalidInputException.throwIfAny(List.of(Violation.warning("--env TOKEN", "looks like a secret")));
    assertThrows(InvalidInputException.class,
        () -> InvalidInputException.throwIfAny(List.of(Violation.error("--port", "0 is not 1-65535"))));
  }
}
