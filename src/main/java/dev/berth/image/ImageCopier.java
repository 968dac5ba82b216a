package dev.berth.image;

import dev.berth.report.BerthException;
import dev.berth.report.Progress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copies an image exactly: every blob the target lacks is mounted (same registry) or streamed from the source
 * (in parallel, bounded), then child manifests are put by digest, and only then the root manifest under its
 * tags, with the source's own bytes and media type, so the digest stays the same.
 */
public final class ImageCopier {
  /** What a copy did. */
  public record Stats(int blobsUploaded, int blobsMounted, int blobsSkipped, long bytesUploaded,
      int manifestsPushed) {}

  private final Progress progress;
  private final int parallelism;

  public ImageCopier(Progress progress, int parallelism) {
    this.progress = progress;
    this.parallelism = Math.max(1, parallelism);
  }

  /** The image manifests and child manifests below a root, children before parents. */
  public record Graph(Manifest root, List<Manifest> children, Map<String, Manifest.Descriptor> blobs) {
    public long totalBytes() {
      return blobs.values().stream().mapToLong(d -> Math.max(0, d.size())).sum();
    }
  }

  /** Reads every manifest below the root (child manifests fetched in parallel). */
  public Graph graph(ContentSource source, Manifest root) {
    List<Manifest> children = new ArrayList<>();
    Map<String, Manifest.Descriptor> blobs = new LinkedHashMap<>();
    collect(source, root, children, blobs, 0);
    return new Graph(root, children, blobs);
  }

  private void collect(ContentSource source, Manifest m, List<Manifest> children,
      Map<String, Manifest.Descriptor> blobs, int depth) {
    if (depth > 4) {
      throw BerthException.failed("manifest lists nested deeper than 4 levels in " + source.describe());
    }
    for (Manifest.Descriptor d : m.blobs()) {
      blobs.putIfAbsent(d.digest(), d);
    }
    List<Manifest.Descriptor> kids = m.children();
    if (kids.isEmpty()) {
      return;
    }
    List<Manifest> fetched = runAll(kids.stream().map(d -> (Task<Manifest>) () -> source.manifest(d)).toList());
    for (Manifest child : fetched) {
      collect(source, child, children, blobs, depth + 1);
      if (children.stream().noneMatch(c -> c.digest().equals(child.digest()))) {
        children.add(child);
      }
    }
  }

  /**
   * Copies blobs and child manifests, then puts the root under each tag. Nothing is tagged before
   * everything it points to is in the target.
   */
  public Stats copy(ContentSource source, Graph graph, RegistryClient target, String repository, List<String> tags) {
    return copy(source, graph, target, repository, tags, false);
  }

  /**
   * As {@link #copy(ContentSource, Graph, RegistryClient, String, List)}; {@code emptyTarget} (a repository
   * created by this run) skips asking the target for blobs it cannot have.
   */
  public Stats copy(ContentSource source, Graph graph, RegistryClient target, String repository, List<String> tags,
      boolean emptyTarget) {
    AtomicInteger uploaded = new AtomicInteger();
    AtomicInteger mounted = new AtomicInteger();
    AtomicInteger skipped = new AtomicInteger();
    AtomicLong bytes = new AtomicLong();
    String mountFrom = source.mountableFrom(target).filter(r -> !r.equals(repository)).orElse(null);
    List<Task<Void>> tasks = new ArrayList<>();
    for (Manifest.Descriptor d : graph.blobs().values()) {
      tasks.add(() -> {
        String name = Digests.shortForm(d.digest()) + " (" + size(d.size()) + ")";
        if (!emptyTarget && target.hasBlob(repository, d.digest())) {
          skipped.incrementAndGet();
          progress.detail("blob " + name + " already there");
          return null;
        }
        if (mountFrom != null && target.mountBlob(repository, d.digest(), mountFrom)) {
          mounted.incrementAndGet();
          progress.info("blob " + name + " mounted from " + mountFrom);
          return null;
        }
        long start = System.nanoTime();
        target.uploadBlob(repository, d.digest(), d.size(), () -> source.open(d));
        uploaded.incrementAndGet();
        bytes.addAndGet(Math.max(0, d.size()));
        progress.info("blob " + name + " uploaded in " + seconds(System.nanoTime() - start));
        return null;
      });
    }
    runAll(tasks);
    int manifests = 0;
    for (Manifest child : graph.children()) {
      target.putManifest(repository, child.digest(), child);
      manifests++;
    }
    for (String tag : tags) {
      target.putManifest(repository, tag, graph.root());
      manifests++;
      progress.info("tag " + tag + " -> " + graph.root().digest());
    }
    return new Stats(uploaded.get(), mounted.get(), skipped.get(), bytes.get(), manifests);
  }

  @FunctionalInterface
  interface Task<T> {
    T run() throws Exception;
  }

  /** Runs tasks on a bounded pool; the first failure cancels the rest and is thrown. */
  private <T> List<T> runAll(List<Task<T>> tasks) {
    if (tasks.isEmpty()) {
      return List.of();
    }
    if (tasks.size() == 1) {
      return List.of(call(tasks.get(0)));
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, tasks.size()), r -> {
      Thread t = new Thread(r, "berth-copy-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (Task<T> t : tasks) {
        futures.add(pool.submit(() -> call(t)));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> f : futures) {
        try {
          out.add(f.get());
        } catch (ExecutionException e) {
          futures.forEach(x -> x.cancel(true));
          Throwable c = e.getCause();
          if (c instanceof RuntimeException re) {
            throw re;
          }
          throw BerthException.failed(String.valueOf(c.getMessage()), c);
        } catch (CancellationException e) {
          throw BerthException.failed("copy cancelled", e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          futures.forEach(x -> x.cancel(true));
          throw BerthException.failed("copy interrupted", e);
        }
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static <T> T call(Task<T> t) {
    try {
      return t.run();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw BerthException.failed(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  static String size(long bytes) {
    if (bytes < 0) {
      return "? bytes";
    }
    if (bytes < 1024 * 1024) {
      return tenths(bytes * 10 / 1024) + " kB";
    }
    return tenths(bytes * 10 / (1024 * 1024)) + " MB";
  }

  private static String seconds(long nanos) {
    return tenths(nanos / 100_000_000) + " s";
  }

  /** 123 -> "12.3" (String.format would load locale data on the way). */
  private static String tenths(long tenths) {
    return tenths / 10 + "." + tenths % 10;
  }
}
