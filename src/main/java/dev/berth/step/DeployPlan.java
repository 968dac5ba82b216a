package dev.berth.step;

import dev.berth.aws.AwsErrors;
import dev.berth.report.Change;
import dev.berth.report.Progress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The changes of a deploy as data: built from what the read-only phase observed and what is asked (observe,
 * desired, diff), then applied in order — or, with {@code --dry-run}, only listed. Each {@link Step} is one
 * {@link Change} and the calls that make it; nothing outside the steps changes anything, so the plan printed
 * and the changes made are one list.
 *
 * <p>A change may name a resource an earlier change creates (the service behind a target group that does not
 * exist yet): its fields show it as {@link Ref#display()} ({@code (new) NAME}), and its calls look the id up
 * in {@link Made} when they run.
 */
final class DeployPlan {
  /** Ids and ARNs AWS assigns, by the name of the resource: known ones from the look, new ones as they are made. */
  static final class Made {
    private final Map<String, String> ids = new LinkedHashMap<>();

    void put(String name, String id) {
      ids.put(name, id);
    }

    String id(Ref ref) {
      if (ref.id() != null) {
        return ref.id();
      }
      String id = ids.get(ref.name());
      if (id == null) {
        throw new IllegalStateException(ref.name() + " was to be created by an earlier change of this deploy");
      }
      return id;
    }

    List<String> ids(List<Ref> refs) {
      return refs.stream().map(this::id).toList();
    }

    String get(String name) {
      return ids.get(name);
    }
  }

  /** A resource by id when it exists, else by the name the deploy creates it with. */
  record Ref(String id, String name) {
    static Ref existing(String id) {
      return new Ref(id, id);
    }

    static Ref created(String name) {
      return new Ref(null, name);
    }

    boolean isNew() {
      return id == null;
    }

    /** As the plan shows it: the id, or {@code (new) NAME}. */
    String display() {
      return id != null ? id : "(new) " + name;
    }
  }

  /** The calls that make one change. */
  @FunctionalInterface
  interface Apply {
    void apply(Made made);
  }

  /** One change and how it is made; {@code what} names it in an error, {@code phase} groups its progress. */
  record Step(Change change, String what, String phase, Apply apply) {}

  private final List<Step> steps = new ArrayList<>();
  private final List<Change> applied = new ArrayList<>();
  private String phase;

  /** The progress phase of the changes added from now on (null: none). */
  DeployPlan phase(String title) {
    this.phase = title;
    return this;
  }

  /** Adds a change (null: nothing differs, nothing added). */
  DeployPlan add(Change change, String what, Apply apply) {
    if (change != null) {
      steps.add(new Step(change, what, phase, apply));
    }
    return this;
  }

  /** The changes made so far by {@link #apply} (all of them once it returned). */
  List<Change> applied() {
    return List.copyOf(applied);
  }

  List<Change> changes() {
    return steps.stream().map(Step::change).toList();
  }

  boolean isEmpty() {
    return steps.isEmpty();
  }

  /**
   * Makes the changes in order. An AWS error is translated here, once, naming the change it interrupted
   * ({@link AwsErrors#translate}); typed refusals a step handles itself (a name another run took meanwhile)
   * never reach here.
   */
  void apply(Made made, Progress progress) {
    String open = null;
    try {
      for (Step s : steps) {
        if (!java.util.Objects.equals(open, s.phase())) {
          if (open != null) {
            progress.endPhase();
          }
          open = s.phase();
          if (open != null) {
            progress.beginPhase(open);
          }
        }
        AwsErrors.run(s.what(), () -> s.apply().apply(made));
        applied.add(s.change());
      }
    } finally {
      if (open != null) {
        progress.endPhase();
      }
    }
  }
}
