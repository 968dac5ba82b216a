package dev.berth.step;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that moves only when a test sleeps through it, so wait loops run instantly. */
final class FakeClock extends Clock {
  private final Instant start;
  private Instant now;

  FakeClock(Instant start) {
    this.start = start;
    this.now = start;
  }

  void advance(Duration d) {
    now = now.plus(d);
  }

  Duration elapsed() {
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
