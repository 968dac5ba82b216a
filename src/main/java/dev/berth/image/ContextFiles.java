package dev.berth.image;

import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import dev.berth.report.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A build context (a folder and its .dockerignore) turning COPY/ADD instructions into Jib layers. Entries are
 * deterministic: sorted, modification time fixed at Jib's epoch + 1 s, modes 755 for folders and owner-executable
 * files and 644 for the other files (unless --chmod), owner root (unless --chown). Symbolic links are followed.
 */
final class ContextFiles {
  private final Path root;
  private final DockerIgnore ignore;
  private final String fileName;

  ContextFiles(Path root, DockerIgnore ignore, String fileName) {
    this.root = root.toAbsolutePath().normalize();
    this.ignore = ignore;
    this.fileName = fileName;
  }

  /** The layer for one COPY/ADD; problems (missing sources, archives for ADD) go to violations. */
  FileEntriesLayer layer(BuildPlan.Copy copy, List<Violation> violations) {
    String where = fileName + ":" + copy.line();
    List<String> matched = new ArrayList<>();
    for (String src : copy.sources()) {
      List<String> m = resolve(src);
      if (m.isEmpty()) {
        Path p = src.equals(".") ? root : root.resolve(src);
        boolean exists = !Glob.hasWildcard(src) && Files.exists(p);
        violations.add(Violation.error(where, copy.instruction() + " source " + src
            + (exists ? " is excluded by .dockerignore" : Glob.hasWildcard(src)
                ? " matches no file in the build context " + root : " not found in the build context " + root)));
      }
      matched.addAll(m);
    }
    boolean intoFolder = copy.destinationIsFolder() || matched.size() > 1;
    if (matched.size() > 1 && !copy.destinationIsFolder()) {
      violations.add(Violation.error(where, copy.instruction() + " copies " + matched.size()
          + " files: the destination must be a folder ending with /: " + copy.destination()));
    }
    FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName(copy.instruction() + " line " + copy.line());
    String owner = copy.chown() == null ? "" : copy.chown();
    FilePermissions chmod = copy.chmod() == null ? null : FilePermissions.fromOctalString(copy.chmod());
    AbsoluteUnixPath dest = AbsoluteUnixPath.get(copy.destination());
    for (String rel : matched) {
      Path src = rel.equals(".") ? root : root.resolve(rel);
      if (!inside(src)) {
        violations.add(Violation.error(where, copy.instruction() + " source " + rel
            + " leads outside the build context (symbolic link)"));
        continue;
      }
      if (Files.isDirectory(src)) {
        try (Stream<Path> walk = Files.walk(src, FileVisitOption.FOLLOW_LINKS)) {
          List<Path> all = walk.filter(p -> !p.equals(src)).sorted(Comparator.comparing(Path::toString)).toList();
          for (Path p : all) {
            String ctxRel = relative(p);
            if (ignore.excludes(ctxRel)) {
              continue;
            }
            AbsoluteUnixPath target = dest.resolve(src.relativize(p).toString().replace('\\', '/'));
            boolean dir = Files.isDirectory(p);
            layer.addEntry(new FileEntry(p, target, chmod != null ? chmod : mode(p, dir),
                FileEntriesLayer.DEFAULT_MODIFICATION_TIME, owner));
          }
        } catch (UncheckedIOException | IOException e) {
          Throwable c = e instanceof UncheckedIOException u ? u.getCause() : e;
          violations.add(Violation.error(where, "cannot read " + rel + (c instanceof FileSystemLoopException
              ? ": symbolic link loop" : ": " + c.getMessage())));
        }
      } else {
        if (copy.instruction().equals("ADD") && isArchive(src)) {
          violations.add(Violation.error(where, "ADD " + rel + ": Docker would extract this archive, berth does"
              + " not; extract it in CI and COPY the folder (or COPY the archive to keep it packed)"));
          continue;
        }
        AbsoluteUnixPath target = intoFolder ? dest.resolve(src.getFileName().toString()) : dest;
        layer.addEntry(new FileEntry(src, target, chmod != null ? chmod : mode(src, false),
            FileEntriesLayer.DEFAULT_MODIFICATION_TIME, owner));
      }
    }
    return layer.build();
  }

  /** Context-relative paths matching one source (a path or a pattern), not excluded by .dockerignore. */
  List<String> resolve(String src) {
    if (!Glob.hasWildcard(src)) {
      Path p = src.equals(".") ? root : root.resolve(src);
      if (!Files.exists(p) || (!src.equals(".") && ignore.excludes(src) && !(Files.isDirectory(p)
          && ignore.mayReinclude(src)))) {
        return List.of();
      }
      return List.of(src);
    }
    Pattern pattern;
    try {
      pattern = Glob.compile(src);
    } catch (IllegalArgumentException e) {
      return List.of();
    }
    int depth = src.contains("**") ? Integer.MAX_VALUE : src.split("/").length;
    try (Stream<Path> walk = Files.walk(root, depth, FileVisitOption.FOLLOW_LINKS)) {
      return walk.filter(p -> !p.equals(root))
          .map(this::relative)
          .filter(r -> pattern.matcher(r).matches() && !ignore.excludes(r))
          .sorted()
          .toList();
    } catch (IOException | UncheckedIOException e) {
      return List.of();
    }
  }

  private String relative(Path p) {
    return root.relativize(p).toString().replace('\\', '/');
  }

  private boolean inside(Path p) {
    try {
      return p.toRealPath().startsWith(root.toRealPath());
    } catch (IOException e) {
      return false;
    }
  }

  private static FilePermissions mode(Path p, boolean dir) {
    if (dir) {
      return FilePermissions.DEFAULT_FOLDER_PERMISSIONS;
    }
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
      if (perms.contains(PosixFilePermission.OWNER_EXECUTE)) {
        return FilePermissions.fromPosixFilePermissions(EnumSet.of(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE));
      }
    } catch (IOException | UnsupportedOperationException e) {
      // not POSIX: the default
    }
    return FilePermissions.DEFAULT_FILE_PERMISSIONS;
  }

  /** gzip, bzip2, xz or tar content: what Docker's ADD would extract. */
  static boolean isArchive(Path p) {
    byte[] head = new byte[512];
    int n;
    try (InputStream in = Files.newInputStream(p)) {
      n = in.readNBytes(head, 0, head.length);
    } catch (IOException e) {
      return false;
    }
    if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      return true;
    }
    if (n >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
      return true;
    }
    if (n >= 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X' && head[4] == 'Z'
        && head[5] == 0) {
      return true;
    }
    return n >= 262 && head[257] == 'u' && head[258] == 's' && head[259] == 't' && head[260] == 'a'
        && head[261] == 'r';
  }
}
