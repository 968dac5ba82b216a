package dev.berth.image;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * One file layer of a Dockerfile build (one COPY/ADD), written by berth as a reproducible tar: entries sorted by
 * path, parent folders added, modification time the epoch + 1 s, owner from --chown (else root), links kept as
 * links. Written fresh on every build from the files' bytes, so a file changed with its modification time kept
 * is never served from a stale cache; the layer's digests are computed from what is written.
 */
final class ContextLayer {
  /** Modification time of every entry (Jib's default: the epoch + 1 s). */
  static final long MTIME_MILLIS = 1000;

  enum Kind { FOLDER, FILE, LINK }

  record Entry(String path, Kind kind, Path source, String linkTarget, int mode) {}

  /** A written layer blob: its digest (of the gzip bytes), diff id (of the tar) and size. */
  record Written(String digest, String diffId, long size) {}

  private final String name;
  private final String owner;
  private final Map<String, Entry> entries;

  private ContextLayer(String name, String owner, Map<String, Entry> entries) {
    this.name = name;
    this.owner = owner;
    this.entries = entries;
  }

  static Builder builder(String name, String owner) {
    return new Builder(name, owner);
  }

  String name() {
    return name;
  }

  int size() {
    return entries.size();
  }

  /** Entries by path in the image (without the leading /), sorted. */
  Map<String, Entry> entries() {
    return entries;
  }

  /** Collects entries; a later entry for the same path replaces an earlier one. */
  static final class Builder {
    private final String name;
    private final String owner;
    private final Map<String, Entry> entries = new TreeMap<>();

    private Builder(String name, String owner) {
      this.name = name;
      this.owner = owner;
    }

    void folder(String path, int mode) {
      put(new Entry(clean(path), Kind.FOLDER, null, null, mode));
    }

    void file(String path, Path source, int mode) {
      put(new Entry(clean(path), Kind.FILE, source, null, mode));
    }

    void link(String path, String target) {
      put(new Entry(clean(path), Kind.LINK, null, target, 0777));
    }

    private void put(Entry e) {
      if (e.path().isEmpty()) {
        return;
      }
      // parent folders first, as Docker and Jib write them
      int slash = e.path().indexOf('/');
      while (slash > 0) {
        String parent = e.path().substring(0, slash);
        entries.putIfAbsent(parent, new Entry(parent, Kind.FOLDER, null, null, 0755));
        slash = e.path().indexOf('/', slash + 1);
      }
      entries.put(e.path(), e);
    }

    private static String clean(String path) {
      String c = Glob.clean(path);
      return c.startsWith("/") ? c.substring(1) : c;
    }

    ContextLayer build() {
      return new ContextLayer(name, owner, Map.copyOf(entries).isEmpty() ? Map.of() : new TreeMap<>(entries));
    }
  }

  /**
   * Writes the layer as a gzip blob into {@code blobs} (an OCI layout's blobs/sha256 folder) and returns its
   * digests. A file that changes size while it is read fails the build.
   */
  Written writeTo(Path blobs) throws IOException {
    Path tmp = Files.createTempFile(blobs, "layer-", ".tmp");
    MessageDigest gzDigest = Digests.newSha256();
    MessageDigest tarDigest = Digests.newSha256();
    long size;
    try {
      try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
          DigestOutputStream gzHashed = new DigestOutputStream(file, gzDigest);
          GZIPOutputStream gz = new GZIPOutputStream(gzHashed, 1 << 16);
          DigestOutputStream tarHashed = new DigestOutputStream(gz, tarDigest);
          TarArchiveOutputStream tar = new TarArchiveOutputStream(tarHashed, StandardCharsets.UTF_8.name())) {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        long uid = 0;
        long gid = 0;
        if (!owner.isEmpty()) {
          String[] ug = owner.split(":", 2);
          uid = Long.parseLong(ug[0]);
          gid = ug.length > 1 && !ug[1].isEmpty() ? Long.parseLong(ug[1]) : uid;
        }
        for (Entry e : entries.values()) {
          TarArchiveEntry t = switch (e.kind()) {
            case FOLDER -> new TarArchiveEntry(e.path() + "/", TarConstants.LF_DIR);
            case LINK -> {
              TarArchiveEntry l = new TarArchiveEntry(e.path(), TarConstants.LF_SYMLINK);
              l.setLinkName(e.linkTarget());
              yield l;
            }
            case FILE -> {
              TarArchiveEntry f = new TarArchiveEntry(e.path(), TarConstants.LF_NORMAL);
              f.setSize(Files.size(e.source()));
              yield f;
            }
          };
          t.setMode(switch (e.kind()) {
            case FOLDER -> TarArchiveEntry.DEFAULT_DIR_MODE & ~0777;
            case LINK -> 0120000;
            case FILE -> TarArchiveEntry.DEFAULT_FILE_MODE & ~0777;
          } | e.mode());
          t.setModTime(MTIME_MILLIS);
          t.setUserId(uid);
          t.setGroupId(gid);
          t.setUserName("");
          t.setGroupName("");
          tar.putArchiveEntry(t);
          if (e.kind() == Kind.FILE) {
            // the file is opened without following a link that replaced it since the context was read
            try (InputStream in = Files.newInputStream(e.source(), LinkOption.NOFOLLOW_LINKS)) {
              long n = in.transferTo(tar);
              if (n != t.getSize()) {
                throw new IOException(e.source() + " changed while it was read (" + n + " bytes, "
                    + t.getSize() + " expected)");
              }
            }
          }
          tar.closeArchiveEntry();
        }
        tar.finish();
      }
      size = Files.size(tmp);
      String digest = Digests.hex(gzDigest);
      Files.move(tmp, blobs.resolve(digest.substring("sha256:".length())), StandardCopyOption.REPLACE_EXISTING);
      return new Written(digest, Digests.hex(tarDigest), size);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
