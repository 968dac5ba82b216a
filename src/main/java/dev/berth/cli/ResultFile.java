package dev.berth.cli;

import dev.berth.report.Violation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@code --result-file}: checked before the step changes anything (a path that cannot be written is invalid
 * input, exit 3), written whole at the end (a temporary file in the same folder, then renamed over the path, so
 * a reader never sees half a result). A device or pipe (/dev/stdout, a FIFO) is written in place.
 */
final class ResultFile {
  private ResultFile() {}

  /** Why PATH cannot take the result, as a violation of WHERE; null when it can. Writes nothing that stays. */
  static Violation problem(Path path, String where) {
    if (path == null) {
      return null;
    }
    Path absolute = path.toAbsolutePath();
    if (Files.isDirectory(absolute)) {
      return Violation.error(where, path + " is a folder, not a file");
    }
    if (Files.exists(absolute) && !Files.isWritable(absolute)) {
      return Violation.error(where, "cannot write " + path + ": permission denied");
    }
    Path dir = absolute.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      return Violation.error(where, "cannot write " + path + ": no such folder " + dir);
    }
    if (Files.exists(absolute) && !Files.isRegularFile(absolute)) {
      return null; // a device or a pipe: written in place
    }
    try {
      Files.delete(Files.createTempFile(dir, ".berth-result-", ".tmp"));
      return null;
    } catch (AccessDeniedException e) {
      return Violation.error(where, "cannot write " + path + ": permission denied in " + dir);
    } catch (IOException e) {
      return Violation.error(where, "cannot write " + path + ": " + reason(e));
    }
  }

  /** Writes TEXT to PATH whole; throws with the reason when it cannot. */
  static void write(Path path, String text) throws IOException {
    Path absolute = path.toAbsolutePath();
    if (Files.exists(absolute) && !Files.isRegularFile(absolute)) {
      Files.writeString(absolute, text, StandardCharsets.UTF_8);
      return;
    }
    Path tmp = Files.createTempFile(absolute.getParent(), ".berth-result-", ".tmp");
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or folder";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
