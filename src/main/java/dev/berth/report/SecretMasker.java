package dev.berth.report;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Replaces every registered secret value with {@code ***} in text that leaves the process (progress,
 * results, error messages). Secrets are registered as soon as they are known: AWS secret keys and session
 * tokens, ECR tokens, registry passwords. Values shorter than 4 characters are not registered (they would
 * mask ordinary text).
 */
public final class SecretMasker {
  private static final SecretMasker GLOBAL = new SecretMasker();
  private final Set<String> secrets = ConcurrentHashMap.newKeySet();
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

  public static SecretMasker global() {
    return GLOBAL;
  }

  public void register(String secret) {
    if (secret != null && secret.length() >= 4 && secrets.add(secret)) {
      for (Consumer<String> l : listeners) {
        l.accept(secret);
      }
    }
  }

  /**
   * Calls {@code listener} with each secret registered from now on, once (the GitHub Actions reporter
   * announces them to the runner with {@code ::add-mask::}). Run the returned handle to stop.
   */
  public Runnable onRegister(Consumer<String> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  public String mask(String text) {
    if (text == null || secrets.isEmpty()) {
      return text;
    }
    String out = text;
    // longest first, so a secret that contains another is masked whole
    List<String> sorted = secrets.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
    for (String s : sorted) {
      if (out.contains(s)) {
        out = out.replace(s, "***");
      }
    }
    return out;
  }

  /** Registers the secrets found in the process environment (AWS keys, tokens, BERTH_REGISTRY_PASSWORD). */
  public void registerFromEnvironment(java.util.Map<String, String> env) {
    for (String name : List.of("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
        "BERTH_REGISTRY_PASSWORD", "AWS_WEB_IDENTITY_TOKEN")) {
      register(env.get(name));
    }
  }
}
