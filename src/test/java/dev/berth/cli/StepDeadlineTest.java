package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.berth.testbed.Berth;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Steps without a watcher of their own still have an overall deadline: an AWS endpoint that accepts
 * connections and never answers makes ecs-register-task give up at --timeout with exit 5, long before the
 * per-call limits would.
 */
class StepDeadlineTest {
  @Test
  void registerTask_whenAwsNeverAnswers_timesOutAtTheDeadlineWithExit5() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    HttpServer silent = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    silent.createContext("/", ex -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.close();
    });
    silent.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r);
      t.setDaemon(true);
      return t;
    }));
    silent.start();
    try {
      long start = System.nanoTime();
      Berth.Run run = Berth.inProcess(Map.of(), "ecs-register-task", "--family", "gantt-exporter-ecs-task",
          "--container-name", "web", "--image", "123456789012.dkr.ecr.us-east-2.amazonaws.com/app@sha256:"
              + "a".repeat(64), "--cpu", "256", "--memory", "512",
          "--region", "us-east-2", "--endpoint-url", "http://127.0.0.1:" + silent.getAddress().getPort(),
          "--timeout", "2s");
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertEquals(ExitCodes.TIMED_OUT, run.exitCode(), run.toString());
      assertTrue(run.json().path("error").asText().contains("did not finish within 2s (--timeout)"), run.toString());
      assertTrue(millis < 15_000, "took " + millis + " ms");
    } finally {
      release.countDown();
      silent.stop(0);
    }
  }

  @Test
  void format_writesDurationsAsPeopleDo() {
    assertEquals("2s", dev.berth.report.Durations.format(java.time.Duration.ofSeconds(2)));
    assertEquals("1h30m", dev.berth.report.Durations.format(java.time.Duration.ofMinutes(90)));
    assertEquals("15m", dev.berth.report.Durations.format(java.time.Duration.ofMinutes(15)));
    assertEquals("500ms", dev.berth.report.Durations.format(java.time.Duration.ofMillis(500)));
  }
}
