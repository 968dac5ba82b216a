package dev.berth.rollout;

import dev.berth.report.Progress;
import java.util.ArrayList;
import java.util.List;

/** Keeps every progress line as "INFO text" / "WARN text" / "DETAIL text". */
final class RecordingProgress implements Progress {
  final List<String> lines = new ArrayList<>();

  @Override
  public void info(String message) {
    lines.add("INFO " + message);
  }

  @Override
  public void warn(String message) {
    lines.add("WARN " + message);
  }

  @Override
  public void detail(String message) {
    lines.add("DETAIL " + message);
  }

  String text() {
    return String.join("\n", lines);
  }

  long count(String fragment) {
    return lines.stream().filter(l -> l.contains(fragment)).count();
  }
}
