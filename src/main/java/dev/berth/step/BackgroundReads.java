package dev.berth.step;

import dev.berth.report.BerthException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Reads a step starts on another thread while it goes on (ecr-push's ECR look-up, ecs-scale's autoscaling range),
 * and their answers taken back: a failure is thrown as the read itself would have thrown it (a runtime exception
 * as it is, anything else as a failed step).
 */
final class BackgroundReads {
  private BackgroundReads() {}

  /** Runs READ on a daemon thread of its own, named NAME (it never keeps the process alive). */
  static <T> CompletableFuture<T> start(String name, Supplier<T> read) {
    return CompletableFuture.supplyAsync(read, r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      t.start();
    });
  }

  /** The answer, waiting without being interruptible. */
  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      throw rethrown(e.getCause());
    }
  }

  /** The answer; an interrupt of the waiting thread ends the wait. */
  static <T> T await(CompletableFuture<T> f) throws InterruptedException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      throw rethrown(e.getCause());
    }
  }

  private static RuntimeException rethrown(Throwable cause) {
    if (cause instanceof RuntimeException re) {
      return re;
    }
    return BerthException.failed(String.valueOf(cause), cause);
  }
}
