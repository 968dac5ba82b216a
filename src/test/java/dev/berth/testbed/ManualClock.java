package dev.berth.testbed;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock (UTC) that moves only when the test moves it, typically from the sleeper it hands to the code under
 * test, so wait loops run instantly and deadlines are exact.
 */
public final class ManualClock extends Clock {
  private final Instant start;
  private volatile Instant now;

  public ManualClock(Instant start) {
    this.start = start;
    this.now = start;
  }

  public synchronized void advance(Duration d) {
    now = now.plus(d);
  }

  /** How far the clock has moved since it was made. */
  public Duration elapsed() {
    return Duration.between(start, now);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return now;
  }
}
