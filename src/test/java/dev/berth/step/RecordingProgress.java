package dev.berth.step;

import dev.berth.report.Progress;
import java.util.ArrayList;
import java.util.List;

/** Keeps every progress line for assertions. */
final class RecordingProgress implements Progress {
  final List<String> infos = new ArrayList<>();
  final List<String> warnings = new ArrayList<>();

  @Override
  public void info(String message) {
    infos.add(message);
  }

  @Override
  public void warn(String message) {
    warnings.add(message);
  }

  @Override
  public void detail(String message) {}
}
