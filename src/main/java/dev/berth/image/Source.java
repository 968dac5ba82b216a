package dev.berth.image;

import dev.berth.report.ImageReference;
import java.nio.file.Path;
import java.util.Map;

/** Where the image to push comes from. */
public sealed interface Source permits Source.Remote, Source.OciLayout, Source.Local {
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

  /**
   * An image built or read locally ({@code --dockerfile}, {@code --tar}, {@code --docker-daemon}), turned into an
   * OCI layout before the push. {@code env} is the environment the build sees (PATH for the docker CLI, the
   * layer cache location).
   */
  record Local(LocalImages.Source source, Map<String, String> env) implements Source {
    public Local {
      env = Map.copyOf(env);
    }

    @Override
    public String toString() {
      if (source instanceof LocalImages.DockerfileSource d) {
        return "dockerfile:" + d.dockerfile();
      }
      if (source instanceof LocalImages.TarSource t) {
        return "tar:" + t.archive();
      }
      return "docker-daemon:" + ((LocalImages.DockerDaemonSource) source).reference();
    }
  }
}
