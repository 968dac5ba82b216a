package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.report.Change;
import dev.berth.report.Json;
import dev.berth.report.Plan;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The text formats of GitHub Actions, kept pure so they can be tested without a runner: workflow commands
 * ({@code ::error::}, {@code ::group::}, ...), the {@code $GITHUB_OUTPUT} file format, and the Markdown of
 * the step summary. See "Workflow commands for GitHub Actions" in GitHub's documentation.
 */
final class GithubActions {
  private GithubActions() {}

  /** True when this process runs as a step of a GitHub Actions job. */
  static boolean enabled(Map<String, String> env) {
    return env != null && "true".equalsIgnoreCase(env.get("GITHUB_ACTIONS"));
  }

  // ---- workflow commands ------------------------------------------------------------------------------------

  /** Escapes a command's message: {@code %}, CR and LF (so a multi-line message stays one command). */
  static String escapeData(String s) {
    if (s == null) {
      return "";
    }
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
  }

  /** Escapes a command property value: as {@link #escapeData} plus {@code :} and {@code ,}. */
  static String escapeProperty(String s) {
    return escapeData(s).replace(":", "%3A").replace(",", "%2C");
  }

  /** {@code ::name key=value,...::message}, every part escaped. */
  static String command(String name, Map<String, String> properties, String message) {
    StringBuilder b = new StringBuilder("::").append(name);
    if (properties != null && !properties.isEmpty()) {
      b.append(' ');
      boolean first = true;
      for (Map.Entry<String, String> e : properties.entrySet()) {
        if (e.getValue() == null || e.getValue().isEmpty()) {
          continue;
        }
        if (!first) {
          b.append(',');
        }
        b.append(e.getKey()).append('=').append(escapeProperty(e.getValue()));
        first = false;
      }
    }
    return b.append("::").append(escapeData(message)).toString();
  }

  static String command(String name, String message) {
    return command(name, null, message);
  }

  /**
   * True when the runner could read this plain line as a command: {@code ::cmd::} after leading blanks, or
   * the legacy {@code ##[cmd]} form anywhere in the line. Such lines are printed between
   * {@code ::stop-commands::} and the resume token.
   */
  static boolean looksLikeCommand(String line) {
    return line.stripLeading().startsWith("::") || line.contains("##[");
  }

  // ---- $GITHUB_OUTPUT ---------------------------------------------------------------------------------------

  /** {@code loadBalancerDnsName} -> {@code load-balancer-dns-name}. */
  static String kebab(String camel) {
    StringBuilder b = new StringBuilder(camel.length() + 8);
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      if (Character.isUpperCase(c)) {
        boolean prevLower = i > 0 && !Character.isUpperCase(camel.charAt(i - 1)) && camel.charAt(i - 1) != '-';
        boolean nextLower = i + 1 < camel.length() && Character.isLowerCase(camel.charAt(i + 1));
        boolean prevUpper = i > 0 && Character.isUpperCase(camel.charAt(i - 1));
        if (i > 0 && (prevLower || (prevUpper && nextLower))) {
          b.append('-');
        }
        b.append(Character.toLowerCase(c));
      } else if (c == '_' || c == ' ') {
        b.append('-');
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** An output's text: strings as they are, numbers and booleans as JSON text, objects and arrays as JSON. */
  static String outputValue(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return "";
    }
    if (value.isTextual()) {
      return value.asText();
    }
    if (value.isValueNode()) {
      return value.asText();
    }
    return Json.write(value);
  }

  /** The result's outputs in order: one per key (kebab-case), then {@code result}, the whole object as JSON. */
  static Map<String, String> outputs(ObjectNode result) {
    Map<String, String> out = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = result.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(kebab(e.getKey()), outputValue(e.getValue()));
    }
    out.put("result", Json.write(result));
    return out;
  }

  /**
   * One entry of {@code $GITHUB_OUTPUT}: {@code name=value} for a one-line value, the heredoc form
   * {@code name<<DELIMITER} ... {@code DELIMITER} for a value with line breaks (a delimiter the value does not
   * contain). Ends with a newline.
   */
  static String outputEntry(String name, String value) {
    if (name.isEmpty() || name.contains("=") || name.contains("<<") || name.contains("\n") || name.contains("\r")) {
      throw new IllegalArgumentException("not an output name: " + name);
    }
    if (value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
      return name + "=" + value + "\n";
    }
    String delimiter;
    do {
      delimiter = "ghadelimiter_" + UUID.randomUUID();
    } while (value.contains(delimiter));
    return name + "<<" + delimiter + "\n" + value + "\n" + delimiter + "\n";
  }

  // ---- $GITHUB_STEP_SUMMARY ---------------------------------------------------------------------------------

  /** Text for HTML/Markdown: no markup, no table breaks, no line breaks. */
  static String html(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("|", "&#124;").replace("`", "&#96;").replace("\r", "").replace("\n", "<br>");
  }

  private static String code(String s) {
    return "<code>" + html(s) + "</code>";
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode() ? null : outputValue(n);
  }

  /**
   * The plan in Markdown: a heading that says whether it is a dry run, then one item per change (created,
   * updated, deleted) with its fields, {@code old → new} for updates.
   */
  static String plan(List<Change> changes, boolean dryRun) {
    StringBuilder b = new StringBuilder("#### ").append(dryRun ? "Plan (dry run: nothing was changed)" : "Changes")
        .append(": ").append(changes.isEmpty() ? "no changes" : changes.size() + (changes.size() == 1 ? " change"
            : " changes")).append("\n\n");
    for (Change c : changes) {
      String verb = switch (c.action()) {
        case CREATE -> "➕ create";
        case UPDATE -> "✏️ update";
        case DELETE -> "➖ delete";
      };
      b.append("- ").append(verb).append(' ').append(code(c.resource())).append(" <b>").append(html(c.name()))
          .append("</b>\n");
      for (Change.Field f : c.fields()) {
        b.append("  - ").append(html(f.field())).append(": ");
        if (c.action() == Change.Action.CREATE && f.before().isNull()) {
          b.append(code(Plan.value(f.after())));
        } else {
          b.append(code(Plan.value(f.before()))).append(" → ").append(code(Plan.value(f.after())));
        }
        b.append('\n');
      }
    }
    return b.toString();
  }

  /**
   * The step summary: a heading with the verdict, the facts a reader looks for first (image and digest,
   * task-definition revision, rollout verdict, endpoint), the error, a table of every result key, and the
   * run's progress lines (events) folded.
   */
  static String summary(String step, ObjectNode result, int exitCode, List<String> events) {
    StringBuilder b = new StringBuilder();
    boolean ok = exitCode == 0;
    String outcome = text(result.get("outcome"));
    b.append("### ").append(ok ? "✅" : "❌").append(" berth ").append(html(step)).append(": ");
    b.append(ok ? "succeeded" : "failed (exit " + exitCode + (outcome == null ? "" : ", " + html(outcome)) + ")");
    b.append("\n\n");

    List<String[]> facts = new ArrayList<>();
    String image = text(result.get("image"));
    if (image != null) {
      facts.add(new String[] {"Image", code(image)});
    }
    String digest = text(result.get("digest"));
    if (digest != null) {
      facts.add(new String[] {"Image digest", code(digest)});
    }
    JsonNode containers = result.get("containers");
    if (containers != null && containers.isObject()) {
      containers.fields().forEachRemaining(e ->
          facts.add(new String[] {"Container " + html(e.getKey()), code(outputValue(e.getValue()))}));
    }
    String taskDef = text(result.get("taskDefinitionArn"));
    if (taskDef != null) {
      String shortName = taskDef.substring(taskDef.lastIndexOf('/') + 1);
      String revision = text(result.get("revision"));
      if (revision == null && shortName.contains(":")) {
        revision = shortName.substring(shortName.lastIndexOf(':') + 1);
      }
      JsonNode registered = result.get("registered");
      String note = registered != null && registered.isBoolean()
          ? (registered.asBoolean() ? " (new revision)" : " (identical revision reused)") : "";
      facts.add(new String[] {"Task definition",
          code(shortName) + (revision == null ? "" : " revision " + html(revision)) + note});
    }
    String verdict = text(result.get("verdict"));
    if (verdict == null) {
      verdict = text(result.get("rolloutState"));
    }
    if (verdict != null) {
      facts.add(new String[] {"Verdict", "<b>" + html(verdict) + "</b>"});
    }
    String deployment = text(result.get("deploymentId"));
    if (deployment != null) {
      facts.add(new String[] {"Deployment", code(deployment)});
    }
    if (result.has("desiredCount") || result.has("runningCount")) {
      facts.add(new String[] {"Tasks", html(String.valueOf(text(result.get("runningCount")))) + " running / "
          + html(String.valueOf(text(result.get("desiredCount")))) + " desired"});
    }
    String dns = text(result.get("loadBalancerDnsName"));
    if (dns != null && !dns.isEmpty()) {
      facts.add(new String[] {"Endpoint", "http://" + html(dns)});
    }
    if (!facts.isEmpty()) {
      b.append("| | |\n|---|---|\n");
      for (String[] f : facts) {
        b.append("| ").append(f[0]).append(" | ").append(f[1]).append(" |\n");
      }
      b.append('\n');
    }
    String error = text(result.get("error"));
    if (!ok && error != null) {
      b.append("> ").append(html(error)).append("\n\n");
    }
    JsonNode reasons = result.get("reasons");
    if (reasons != null && reasons.isArray() && !reasons.isEmpty()) {
      b.append("Reasons:\n\n");
      reasons.forEach(r -> b.append("- ").append(html(outputValue(r))).append('\n'));
      b.append('\n');
    }

    JsonNode changes = result.get("changes");
    boolean dryRun = result.path("dryRun").asBoolean(false);
    if (changes != null && changes.isArray() && (dryRun || !changes.isEmpty())) {
      b.append(plan(Plan.fromJson(changes), dryRun)).append('\n');
    }

    b.append("<details><summary>Result (").append(result.size()).append(" keys)</summary>\n\n");
    b.append("| Output | Value |\n|---|---|\n");
    result.fields().forEachRemaining(e -> {
      String v = outputValue(e.getValue());
      if (v.length() > 300) {
        v = v.substring(0, 297) + "...";
      }
      b.append("| ").append(code(kebab(e.getKey()))).append(" | ").append(code(v)).append(" |\n");
    });
    b.append("\n</details>\n\n");

    if (events != null && !events.isEmpty()) {
      b.append("<details><summary>Events (").append(events.size()).append(")</summary>\n\n<pre>");
      for (String line : events) {
        if (!line.isBlank()) {
          b.append(html(line).replace("<br>", "\n  ")).append('\n');
        }
      }
      b.append("</pre>\n\n</details>\n\n");
    }
    return b.toString();
  }
}
