package dev.berth.image;

import dev.berth.report.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A build context (a folder and its .dockerignore) turning COPY/ADD instructions into {@link ContextLayer}s.
 * Entries are deterministic: sorted, modification time fixed at the epoch + 1 s, modes 755 for folders and
 * owner-executable files and 644 for the other files (unless --chmod), owner root (unless --chown).
 *
 * <p>Hostile contexts are confined: a symbolic link inside a copied folder is copied as a link (as Docker does)
 * and refused when its target leaves the context; a source that is itself a link is followed only when its real
 * path stays inside the context, and {@code .dockerignore} applies to that real path too; FIFOs, sockets and
 * devices are refused (they would block the build or become empty files).
 */
final class ContextFiles {
  private final Path root;
  private final Path realRoot;
  private final DockerIgnore ignore;
  private final String fileName;

  ContextFiles(Path root, DockerIgnore ignore, String fileName) {
    this.root = root.toAbsolutePath().normalize();
    Path real;
    try {
      real = this.root.toRealPath();
    } catch (IOException e) {
      real = this.root;
    }
    this.realRoot = real;
    this.ignore = ignore;
    this.fileName = fileName;
  }

  /** The layer for one COPY/ADD; problems (missing sources, links out, archives for ADD) go to violations. */
  ContextLayer layer(BuildPlan.Copy copy, List<Violation> violations) {
    String where = fileName + ":" + copy.line();
    List<String> matched = new ArrayList<>();
    for (String src : copy.sources()) {
      List<String> m = resolve(src);
      if (m.isEmpty()) {
        Path p = src.equals(".") ? root : root.resolve(src);
        boolean exists = !Glob.hasWildcard(src) && Files.exists(p, LinkOption.NOFOLLOW_LINKS);
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
    String owner = copy.chown() == null ? "" : copy.chown();
    Integer chmod = copy.chmod() == null ? null : Integer.parseInt(copy.chmod(), 8);
    String dest = copy.destination();
    ContextLayer.Builder layer = ContextLayer.builder(copy.instruction() + " line " + copy.line(), owner);
    for (String rel : matched) {
      Path src = rel.equals(".") ? root : root.resolve(rel);
      // a source that is itself a link is followed (as Docker does), but only inside the context, and the
      // .dockerignore rules apply to where it really leads
      Path real;
      try {
        real = src.toRealPath();
      } catch (IOException e) {
        violations.add(Violation.error(where, copy.instruction() + " source " + rel + " cannot be read: "
            + (e instanceof FileSystemLoopException ? "symbolic link loop" : e.getMessage())));
        continue;
      }
      if (!real.startsWith(realRoot)) {
        violations.add(Violation.error(where, copy.instruction() + " source " + rel
            + " is a symbolic link that leads outside the build context (to " + real + ")"));
        continue;
      }
      String realRel = realRoot.relativize(real).toString().replace('\\', '/');
      if (!realRel.isEmpty() && !realRel.equals(rel) && ignore.excludes(realRel)) {
        violations.add(Violation.error(where, copy.instruction() + " source " + rel + " leads to " + realRel
            + ", which is excluded by .dockerignore"));
        continue;
      }
      BasicFileAttributes attrs;
      try {
        attrs = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (IOException e) {
        violations.add(Violation.error(where, "cannot read " + rel + ": " + e.getMessage()));
        continue;
      }
      if (attrs.isDirectory()) {
        walk(real, realRel, dest, chmod, layer, where, violations);
      } else if (attrs.isRegularFile()) {
        if (copy.instruction().equals("ADD") && isArchive(real)) {
          violations.add(Violation.error(where, "ADD " + rel + ": Docker would extract this archive, berth does"
              + " not; extract it in CI and COPY the folder (or COPY the archive to keep it packed)"));
          continue;
        }
        String target = intoFolder ? join(dest, src.getFileName().toString()) : dest;
        layer.file(target, real, chmod != null ? chmod : mode(real));
      } else {
        violations.add(Violation.error(where, notCopied(rel)));
      }
    }
    return layer.build();
  }

  /** A folder's entries: folders, regular files and links (as links, when they stay inside the context). */
  private void walk(Path dir, String dirRel, String dest, Integer chmod, ContextLayer.Builder layer, String where,
      List<Violation> violations) {
    try {
      Files.walkFileTree(dir, EnumSet.noneOf(FileVisitOption.class), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
          if (!d.equals(dir)) {
            String ctxRel = contextRelative(dir, dirRel, d);
            if (!ignore.excludes(ctxRel)) {
              layer.folder(target(d), chmod != null ? chmod : 0755);
            } else if (!ignore.mayReinclude(ctxRel)) {
              return FileVisitResult.SKIP_SUBTREE;
            }
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
          String ctxRel = contextRelative(dir, dirRel, f);
          if (ignore.excludes(ctxRel)) {
            return FileVisitResult.CONTINUE;
          }
          if (attrs.isSymbolicLink()) {
            Path target = Files.readSymbolicLink(f);
            Path resolved = f.getParent().resolve(target).normalize();
            if (target.isAbsolute() || !resolved.startsWith(realRoot)) {
              violations.add(Violation.error(where, "symbolic link " + ctxRel + " -> " + target
                  + " leads outside the build context; berth copies links as links and refuses those that leave"
                  + " the context (replace it with the file, or point it inside the context)"));
            } else {
              layer.link(target(f), target.toString().replace('\\', '/'));
            }
          } else if (attrs.isRegularFile()) {
            layer.file(target(f), f, chmod != null ? chmod : mode(f));
          } else {
            violations.add(Violation.error(where, notCopied(ctxRel)));
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path f, IOException e) {
          violations.add(Violation.error(where, "cannot read " + contextRelative(dir, dirRel, f) + ": "
              + e.getMessage()));
          return FileVisitResult.CONTINUE;
        }

        private String target(Path p) {
          return join(dest, dir.relativize(p).toString().replace('\\', '/'));
        }
      });
    } catch (IOException | UncheckedIOException e) {
      Throwable c = e instanceof UncheckedIOException u ? u.getCause() : e;
      violations.add(Violation.error(where, "cannot read " + dirRel + ": " + c.getMessage()));
    }
  }

  private static String notCopied(String rel) {
    return rel + " is not a regular file, folder or symbolic link (a FIFO, socket or device): berth does not copy"
        + " those into an image";
  }

  private static String contextRelative(Path dir, String dirRel, Path p) {
    String r = dir.relativize(p).toString().replace('\\', '/');
    return dirRel.isEmpty() ? r : dirRel + "/" + r;
  }

  private static String join(String dest, String rel) {
    if (rel.isEmpty()) {
      return dest;
    }
    return dest.endsWith("/") ? dest + rel : dest + "/" + rel;
  }

  /** Context-relative paths matching one source (a path or a pattern), not excluded by .dockerignore. */
  List<String> resolve(String src) {
    if (!Glob.hasWildcard(src)) {
      Path p = src.equals(".") ? root : root.resolve(src);
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS) || (!src.equals(".") && ignore.excludes(src)
          && !(Files.isDirectory(p) && ignore.mayReinclude(src)))) {
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
    // links are not followed while matching: a link's own name matches, and layer() decides about its target
    try (Stream<Path> walk = Files.walk(root, depth)) {
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

  private static int mode(Path p) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
      if (perms.contains(PosixFilePermission.OWNER_EXECUTE)) {
        return 0755;
      }
    } catch (IOException | UnsupportedOperationException e) {
      // not POSIX: the default
    }
    return 0644;
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
