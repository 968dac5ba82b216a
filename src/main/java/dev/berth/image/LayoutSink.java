package dev.berth.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An output stream that takes a tar archive as it is written and unpacks it into a folder, without a tar file in
 * between: regular files and folders (ustar, PAX and GNU long names); links and devices are skipped. A blob entry
 * ({@code blobs/sha256/HEX}) that a Jib layer cache already holds (as {@code CACHE/layers/HEX/DIFFID}) is hard-linked
 * (else copied) from there and its bytes are discarded as they stream by, so a cached 100 MB layer costs no disk
 * write.
 */
final class LayoutSink extends OutputStream {
  private static final Pattern BLOB = Pattern.compile("blobs/sha256/([0-9a-f]{64})");
  private static final int HEADER = 0;
  private static final int BODY = 1;
  private static final int PADDING = 2;

  private final Path root;
  private final List<Path> layerCaches;
  private final byte[] header = new byte[512];
  private int headerFill;
  private int state = HEADER;
  private long remaining;
  private long padding;
  private OutputStream current;
  private ByteArrayOutputStream meta; // body of a PAX or GNU long-name entry
  private char metaType;
  private String nextName; // from the PAX/GNU entry before
  private int linked;

  /**
   * @param dir the folder to unpack into (created)
   * @param layerCaches Jib layer caches (folders holding {@code layers/}) to take cached blobs from
   */
  LayoutSink(Path dir, List<Path> layerCaches) throws IOException {
    this.root = dir.toAbsolutePath().normalize();
    this.layerCaches = layerCaches;
    Files.createDirectories(root);
  }

  /** How many blobs came from a layer cache instead of the stream. */
  int linked() {
    return linked;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      int n;
      switch (state) {
        case HEADER -> {
          n = Math.min(len, 512 - headerFill);
          System.arraycopy(b, off, header, headerFill, n);
          headerFill += n;
          if (headerFill == 512) {
            headerFill = 0;
            onHeader();
          }
        }
        case BODY -> {
          n = (int) Math.min(len, remaining);
          if (current != null) {
            current.write(b, off, n);
          } else if (meta != null) {
            meta.write(b, off, n);
          }
          remaining -= n;
          if (remaining == 0) {
            endEntry();
          }
        }
        default -> {
          n = (int) Math.min(len, padding);
          padding -= n;
          if (padding == 0) {
            state = HEADER;
          }
        }
      }
      off += n;
      len -= n;
    }
  }

  private void onHeader() throws IOException {
    boolean empty = true;
    for (byte x : header) {
      if (x != 0) {
        empty = false;
        break;
      }
    }
    if (empty) {
      return; // end-of-archive blocks
    }
    String name = string(0, 100);
    if (string(257, 5).equals("ustar")) {
      String prefix = string(345, 155);
      if (!prefix.isEmpty()) {
        name = prefix + "/" + name;
      }
    }
    if (nextName != null) {
      name = nextName;
      nextName = null;
    }
    long size = size();
    char type = (char) header[156];
    remaining = size;
    padding = (512 - size % 512) % 512;
    current = null;
    meta = null;
    switch (type) {
      case 'x', 'L' -> {
        meta = new ByteArrayOutputStream();
        metaType = type;
      }
      case '5' -> Files.createDirectories(target(name));
      case '0', '\0', '7' -> {
        Path target = target(name);
        Files.createDirectories(target.getParent());
        if (!fromCache(name, target)) {
          current = new java.io.BufferedOutputStream(Files.newOutputStream(target), 1 << 16);
        }
      }
      default -> {
        // links, devices, global PAX headers: skipped
      }
    }
    if (size == 0) {
      endEntry();
    } else {
      state = BODY;
    }
  }

  private boolean fromCache(String name, Path target) throws IOException {
    Matcher m = BLOB.matcher(name);
    return m.matches() && link(m.group(1), remaining, target);
  }

  /** Hard-links (else copies) the blob sha256:HEX of this size from a layer cache to target, if a cache holds it. */
  boolean link(String hex, long size, Path target) throws IOException {
    for (Path cache : layerCaches) {
      Path dir = cache.resolve("layers").resolve(hex);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (var files = Files.list(dir)) {
        Path cached = files.filter(f -> f.getFileName().toString().matches("[0-9a-f]{64}")).findFirst().orElse(null);
        if (cached == null || Files.size(cached) != size) {
          continue;
        }
        Files.deleteIfExists(target);
        try {
          Files.createLink(target, cached);
        } catch (IOException | UnsupportedOperationException e) {
          Files.copy(cached, target, StandardCopyOption.REPLACE_EXISTING);
        }
        linked++;
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      }
    }
    return false;
  }

  private void endEntry() throws IOException {
    if (current != null) {
      current.close();
      current = null;
    }
    if (meta != null) {
      String text = meta.toString(StandardCharsets.UTF_8);
      meta = null;
      if (metaType == 'L') {
        nextName = text.replace("\0", "");
      } else {
        for (String record : text.split("\n")) {
          int sp = record.indexOf(' ');
          if (sp > 0 && record.startsWith("path=", sp + 1)) {
            nextName = record.substring(sp + 1 + "path=".length());
          }
        }
      }
    }
    state = padding > 0 ? PADDING : HEADER;
  }

  private Path target(String name) throws IOException {
    Path t = root.resolve(name).normalize();
    if (!t.startsWith(root) || t.equals(root) && !name.matches("\\.?/?")) {
      throw new IOException("archive entry leaves the folder: " + name);
    }
    return t;
  }

  private String string(int off, int len) {
    int end = off;
    while (end < off + len && header[end] != 0) {
      end++;
    }
    return new String(header, off, end - off, StandardCharsets.UTF_8);
  }

  private long size() throws IOException {
    if ((header[124] & 0x80) != 0) { // base-256
      long v = 0;
      for (int i = 125; i < 136; i++) {
        v = (v << 8) | (header[i] & 0xff);
      }
      return v;
    }
    String s = string(124, 12).trim();
    try {
      return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    } catch (NumberFormatException e) {
      throw new IOException("malformed tar header (size '" + s + "')");
    }
  }

  @Override
  public void close() throws IOException {
    if (current != null) {
      current.close();
      current = null;
    }
    if (state != HEADER || remaining > 0) {
      throw new IOException("the archive ends inside an entry");
    }
  }
}
