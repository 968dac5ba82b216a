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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * One file layer of a Dockerfile build (one COPY/ADD), written by berth as a reproducible tar: entries sorted by
 * path, parent folders added, modification time the epoch + 1 s, owner from --chown (else root), links kept as
 * links. Its cache key is the diff id berth computes from the files' bytes on every build, so a file changed with
 * its modification time kept is never served from a stale cache.
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
      return new ContextLayer(name, owner, new TreeMap<>(entries));
    }
  }

  /**
   * Writes the layer as a gzip blob into {@code blobs} (an OCI layout's blobs/sha256 folder) and returns its
   * digests. With a cache folder, the tar is first only hashed (reading the files, no compression): a cached gzip
   * blob stored under that diff id, whose bytes still hash to its name, is hard-linked instead of compressing the
   * layer again; otherwise the layer is compressed and stored there. The cache is keyed by digests berth computed
   * from the bytes. A file that changes while it is read fails the build.
   */
  Written writeTo(Path blobs, Path cache) throws IOException {
    String diffId = null;
    if (cache != null) {
      MessageDigest md = Digests.newSha256();
      try (DigestOutputStream hashed = new DigestOutputStream(OutputStream.nullOutputStream(), md)) {
        writeTar(hashed);
      }
      diffId = Digests.hex(md);
      Written cached = fromCache(cache.resolve(diffId.substring(7)), diffId, blobs);
      if (cached != null) {
        return cached;
      }
    }
    Written w = writeTo(blobs);
    if (diffId != null && !diffId.equals(w.diffId())) {
      throw new IOException("the files of " + name + " changed while the layer was written");
    }
    if (cache != null) {
      Path folder = Files.createDirectories(cache.resolve(w.diffId().substring(7)));
      Path entry = folder.resolve(w.digest().substring(7));
      Path tmp = Files.createTempFile(folder, "blob-", ".tmp");
      try {
        Files.deleteIfExists(tmp);
        try {
          Files.createLink(tmp, blobs.resolve(w.digest().substring(7)));
        } catch (IOException | UnsupportedOperationException e) {
          Files.copy(blobs.resolve(w.digest().substring(7)), tmp);
        }
        Files.move(tmp, entry, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    return w;
  }

  /** The cached blob for a diff id, linked into blobs, when one exists and its bytes hash to its name. */
  private static Written fromCache(Path folder, String diffId, Path blobs) throws IOException {
    if (!Files.isDirectory(folder)) {
      return null;
    }
    List<Path> entries;
    try (var list = Files.list(folder)) {
      entries = list.filter(f -> f.getFileName().toString().matches("[0-9a-f]{64}")).toList();
    }
    for (Path cached : entries) {
      if (!Files.isRegularFile(cached, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      MessageDigest md = Digests.newSha256();
      try (InputStream in = new java.security.DigestInputStream(Files.newInputStream(cached), md)) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      String digest = Digests.hex(md);
      if (!digest.equals("sha256:" + cached.getFileName())) {
        Files.deleteIfExists(cached); // damaged: written again below
        continue;
      }
      Path target = blobs.resolve(cached.getFileName().toString());
      Files.deleteIfExists(target);
      try {
        Files.createLink(target, cached);
      } catch (IOException | UnsupportedOperationException e) {
        Files.copy(cached, target, StandardCopyOption.REPLACE_EXISTING);
      }
      return new Written(digest, diffId, Files.size(cached));
    }
    return null;
  }

  /** Writes the layer as a gzip blob into {@code blobs} and returns its digests. */
  Written writeTo(Path blobs) throws IOException {
    Path tmp = Files.createTempFile(blobs, "layer-", ".tmp");
    MessageDigest gzDigest = Digests.newSha256();
    MessageDigest tarDigest = Digests.newSha256();
    long size;
    try {
      try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
          DigestOutputStream gzHashed = new DigestOutputStream(file, gzDigest);
          GZIPOutputStream gz = new GZIPOutputStream(gzHashed, 1 << 16);
          DigestOutputStream tarHashed = new DigestOutputStream(gz, tarDigest)) {
        writeTar(tarHashed);
      }
      size = Files.size(tmp);
      String digest = Digests.hex(gzDigest);
      Files.move(tmp, blobs.resolve(digest.substring("sha256:".length())), StandardCopyOption.REPLACE_EXISTING);
      return new Written(digest, Digests.hex(tarDigest), size);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The layer's tar, written to out (not closed). */
  private void writeTar(OutputStream out) throws IOException {
    TarArchiveOutputStream tar = new TarArchiveOutputStream(new java.io.FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        flush(); // the caller closes its stream
      }
    }, StandardCharsets.UTF_8.name());
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
    tar.close();
  }
}
