package dev.berth.image;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** What a copy reads from: manifests and blobs, from a registry or an OCI layout. */
public interface ContentSource {
  /** The manifest the source names (an image manifest or an index). */
  Manifest root();

  /** A child manifest of an index. */
  Manifest manifest(Manifest.Descriptor descriptor);

  /** Opens a blob for reading; called again for each attempt of an upload. */
  InputStream open(Manifest.Descriptor descriptor) throws IOException;

  /**
   * The repository to mount blobs from when the target lives on the same registry endpoint as this source,
   * else empty.
   */
  Optional<String> mountableFrom(RegistryClient target);

  String describe();

  /** Opens a source: a registry image through {@code client}, or a layout directory (client unused). */
  static ContentSource of(Source source, RegistryClient client) {
    if (source instanceof Source.Remote r) {
      return new RemoteSource(client, r.reference());
    }
    Source.OciLayout l = (Source.OciLayout) source;
    return new OciLayoutSource(l.directory(), l.refName());
  }
}
