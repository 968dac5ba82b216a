package dev.berth.image;

import dev.berth.report.BerthException;
import dev.berth.report.ImageReference;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** A source image in a registry, read with our registry client (blobs streamed, nothing cached). */
final class RemoteSource implements ContentSource {
  private final RegistryClient client;
  private final ImageReference reference;
  private volatile Manifest root;

  RemoteSource(RegistryClient client, ImageReference reference) {
    this.client = client;
    this.reference = reference;
  }

  @Override
  public Manifest root() {
    if (root == null) {
      Manifest m = client.getManifest(reference.repository(), reference.reference())
          .orElseThrow(() -> BerthException.failed("source image " + reference + " not found at " + client.base()));
      check(m);
      root = m;
    }
    return root;
  }

  @Override
  public Manifest manifest(Manifest.Descriptor d) {
    Manifest m = client.getManifest(reference.repository(), d.digest())
        .orElseThrow(() -> BerthException.failed("source " + reference + " lists manifest " + d.digest()
            + " but the registry does not have it"));
    check(m);
    return m;
  }

  static void check(Manifest m) {
    if (!m.isIndex() && !m.isImage()) {
      throw BerthException.failed("unsupported manifest media type " + m.mediaType() + " (" + m.digest()
          + "); supported: " + Manifest.ACCEPT);
    }
  }

  @Override
  public InputStream open(Manifest.Descriptor d) throws IOException {
    RegistryClient.Blob blob = client.openBlob(reference.repository(), d.digest());
    if (blob.length() >= 0 && d.size() >= 0 && blob.length() != d.size()) {
      blob.stream().close();
      throw BerthException.failed("source blob " + d.digest() + " is " + blob.length() + " bytes, its manifest says "
          + d.size());
    }
    return blob.stream();
  }

  @Override
  public Optional<String> mountableFrom(RegistryClient target) {
    return target.base().equals(client.base()) ? Optional.of(reference.repository()) : Optional.empty();
  }

  @Override
  public String describe() {
    return reference.toString();
  }
}
