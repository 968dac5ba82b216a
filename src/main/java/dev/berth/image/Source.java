package dev.berth.image;

import java.nio.file.Path;

/** Where the image to push comes from. */
public sealed interface Source permits Source.Remote, Source.OciLayout {
  /** An image in a registry, copied exactly (same manifest bytes, same digest). */
  record Remote(ImageReference reference) implements Source {
    @Override
    public String toString() {
      return reference.toString();
    }
  }

  /**
   * An OCI image layout directory ({@code oci-layout}, {@code index.json}, {@code blobs/sha256/...}), as image
   * builds write it. {@code refName} picks a manifest of {@code index.json} by its
   * {@code org.opencontainers.image.ref.name} annotation; null takes the only one.
   */
  record OciLayout(Path directory, String refName) implements Source {
    public OciLayout(Path directory) {
      this(directory, null);
    }

    @Override
    public String toString() {
      return "oci:" + directory + (refName == null ? "" : ":" + refName);
    }
  }
}
