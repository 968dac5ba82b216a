package dev.berth.rollout;

import java.time.Duration;

/** How the watcher waits between polls; injected so unit tests never sleep. */
@FunctionalInterface
public interface Sleeper {
  void sleep(Duration d) throws InterruptedException;

  /** {@link Thread#sleep}. */
  static Sleeper system() {
    return d -> {
      if (!d.isNegative() && !d.isZero()) {
        Thread.sleep(d.toMillis());
      }
    };
  }
}
