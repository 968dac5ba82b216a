package dev.berth.image;

/** Waits between retries; tests pass one that does not sleep. */
@FunctionalInterface
public interface Sleeper {
  void sleep(long millis) throws InterruptedException;

  Sleeper REAL = Thread::sleep;
}
