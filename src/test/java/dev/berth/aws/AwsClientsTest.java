package dev.berth.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.report.InvalidInputException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AwsClientsTest {
  @Test
  void timeoutsFromTheEnvironment_whenWrittenAsOptionsAre_parseTheSame() {
    Map<String, String> env = Map.of("BERTH_AWS_CALL_TIMEOUT", "1h", "BERTH_AWS_ATTEMPT_TIMEOUT", "2m30s",
        "BERTH_AWS_CONNECT_TIMEOUT", "1.5s");
    try (AwsClients aws = AwsClients.create(new AwsSettings("us-east-1", null, null, null, null, null,
        AwsSettings.DEFAULT_CALL_TIMEOUT, AwsSettings.DEFAULT_ATTEMPT_TIMEOUT), env)) {
      assertEquals(Duration.ofHours(1), aws.settings().callTimeout());
      assertEquals(Duration.ofSeconds(150), aws.settings().attemptTimeout());
      assertEquals(Duration.ofMillis(1500), aws.connectTimeout());
    }
  }

  @Test
  void timeoutFromTheEnvironment_whenNotADuration_isInvalidInputNamingTheVariable() {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> AwsClients.create(
        new AwsSettings("us-east-1", null, null, null, null, null, null, null), Map.of("BERTH_AWS_CALL_TIMEOUT", "5x")));
    assertTrue(e.getMessage().startsWith("invalid input: BERTH_AWS_CALL_TIMEOUT: '5x' is not a duration"), e.getMessage());
  }
}
