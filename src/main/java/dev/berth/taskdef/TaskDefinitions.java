package dev.berth.taskdef;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.report.InvalidInputException;
import dev.berth.report.Json;
import dev.berth.report.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;

/**
 * Task-definition documents, with no AWS calls: parse a file (the {@code register-task-definition
 * --cli-input-json} shape or {@code describe-task-definition} output), render parameters into it, validate
 * it, normalise it for comparison, and turn it into the SDK's register request. A definition is an
 * {@link ObjectNode} in the register shape (the API's member names).
 */
public final class TaskDefinitions {
  private TaskDefinitions() {}

  /**
   * The largest task-definition file read: ECS refuses a definition above 64 KiB, and a file may be
   * describe-task-definition output with tags and white space; anything larger is not a task definition.
   */
  public static final int MAX_FILE_BYTES = 1 << 20;

  /**
   * Reads a task-definition file, at most {@link #MAX_FILE_BYTES} (a device, a pipe or a huge file is refused
   * without being read to its end), as UTF-8. WHERE names the flag in the violation.
   */
  public static String readFile(Path file, String where) {
    if (Files.isDirectory(file)) {
      throw new InvalidInputException(where, file + " is a folder, not a file");
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_FILE_BYTES + 1);
    } catch (NoSuchFileException e) {
      throw new InvalidInputException(where, "no such file: " + file);
    } catch (AccessDeniedException e) {
      throw new InvalidInputException(where, "cannot read " + file + ": permission denied");
    } catch (IOException e) {
      throw new InvalidInputException(where, "cannot read " + file + ": " + e.getMessage());
    }
    if (bytes.length > MAX_FILE_BYTES) {
      throw new InvalidInputException(where, file + " is larger than " + (MAX_FILE_BYTES >> 20) + " MiB, which no task"
          + " definition is (ECS takes at most 64 KiB); give the JSON file of one task definition");
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new InvalidInputException(where, file + " is not UTF-8 text");
    }
  }

  /** A parsed file: the definition in the register shape, every problem found, and the read-only fields dropped. */
  public record Parsed(ObjectNode definition, List<Violation> violations, List<String> droppedReadOnly) {}

  /** The JSON names of every field RegisterTaskDefinition takes (derived from the SDK model). */
  public static Set<String> registerFields() {
    return SdkJson.REQUEST_FIELDS.keySet();
  }

  /** The fields describe-task-definition returns that are dropped (taskDefinitionArn, revision, status, ...). */
  public static Set<String> readOnlyFields() {
    return SdkJson.READ_ONLY_FIELDS;
  }

  /**
   * Parses a task definition. {@code source} names the input in messages (a file name). Accepts the register
   * shape, a bare describe-task-definition {@code taskDefinition} object, and the whole describe output
   * ({@code {"taskDefinition": {...}, "tags": [...]}}). Unknown fields are reported with their JSON path and,
   * when one is close, the field meant; numbers written as strings (and the reverse) are converted.
   */
  public static Parsed parse(String json, String source) {
    List<Violation> out = new ArrayList<>();
    JsonNode root;
    try {
      root = Json.readDocument(json);
    } catch (Json.InvalidJson e) {
      String at = e.line() > 0 ? "line " + e.line() + ", column " + e.column() : "";
      if (e.reason().startsWith("duplicate key") && !e.path().isEmpty()) {
        out.add(Violation.error(e.path(), e.reason() + " (" + source + (at.isEmpty() ? "" : " " + at) + ")"));
      } else if (e.reason().startsWith("not valid JSON: ") && !at.isEmpty()) {
        out.add(Violation.error(source, "not valid JSON at " + at + ": "
            + e.reason().substring("not valid JSON: ".length())));
      } else {
        out.add(Violation.error(source, e.reason() + (at.isEmpty() ? "" : " (" + at + ")")));
      }
      return new Parsed(null, out, List.of());
    }
    if (root == null || !root.isObject()) {
      out.add(Violation.error(source, "expected a JSON object (a task definition)"));
      return new Parsed(null, out, List.of());
    }
    ObjectNode body = (ObjectNode) root;
    String prefix = "";
    if (body.get("taskDefinition") instanceof ObjectNode inner) {
      ObjectNode unwrapped = inner.deepCopy();
      for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("tags")) {
          if (e.getValue().isArray() && e.getValue().size() > 0) {
            unwrapped.set("tags", e.getValue());
          }
        } else if (!e.getKey().equals("taskDefinition")) {
          out.add(Violation.error(e.getKey(), "unknown field next to taskDefinition (a describe-task-definition"
              + " output has only taskDefinition and tags)"));
        }
      }
      body = unwrapped;
      prefix = "taskDefinition";
    }
    List<String> dropped = new ArrayList<>();
    ObjectNode registerable = body.deepCopy();
    for (String ro : SdkJson.READ_ONLY_FIELDS) {
      if (registerable.remove(ro) != null) {
        dropped.add(ro);
      }
    }
    List<Violation> found = new ArrayList<>();
    ObjectNode checked = SdkJson.check(registerable, SdkJson.REQUEST_FIELDS, "", found);
    for (Violation v : found) {
      out.add(new Violation(prefix.isEmpty() ? v.where() : prefix + "." + v.where(), v.message(), v.warning()));
    }
    return new Parsed(checked, out, dropped);
  }

  /** An SDK task definition (from DescribeTaskDefinition) in the register shape, read-only fields dropped. */
  public static ObjectNode fromSdk(TaskDefinition td, List<Tag> tags) {
    ObjectNode o = SdkJson.fromSdk(td);
    SdkJson.READ_ONLY_FIELDS.forEach(o::remove);
    if (tags != null && !tags.isEmpty()) {
      ArrayNode a = o.putArray("tags");
      for (Tag t : tags) {
        a.add(SdkJson.fromSdk(t));
      }
    }
    return o;
  }

  /** The whole SDK task definition as describe-task-definition prints it (read-only fields kept). */
  public static ObjectNode describeShape(TaskDefinition td, List<Tag> tags) {
    ObjectNode root = Json.mapper().createObjectNode();
    root.set("taskDefinition", SdkJson.fromSdk(td));
    ArrayNode a = root.putArray("tags");
    if (tags != null) {
      tags.forEach(t -> a.add(SdkJson.fromSdk(t)));
    }
    return root;
  }

  /**
   * Applies parameters to a definition (a copy; {@code base} may be null for parameters alone). {@code region}
   * goes into the awslogs options; with {@code fargateDefaults} a definition that names no compatibility
   * gets requiresCompatibilities FARGATE and networkMode awsvpc. Problems with the parameters are added to
   * {@code out}.
   */
  public static ObjectNode render(ObjectNode base, Overrides overrides, String region, boolean fargateDefaults,
      List<Violation> out) {
    return Renderer.render(base, overrides, region, fargateDefaults, out);
  }

  /** Every rule of ECS and Fargate berth knows, every violation (errors and warnings) with its JSON path. */
  public static List<Violation> validate(ObjectNode definition) {
    return Validator.validate(definition);
  }

  /** The canonical form two definitions are compared in. */
  public static ObjectNode normalise(ObjectNode definition) {
    return Normaliser.normalise(definition);
  }

  /** True when ECS would run both definitions the same way (equal after {@link #normalise}). */
  public static boolean same(ObjectNode a, ObjectNode b) {
    return normalise(a).equals(normalise(b));
  }

  /** JSON paths where two definitions differ after normalising (for the progress log). */
  public static List<String> differences(ObjectNode a, ObjectNode b) {
    List<String> out = new ArrayList<>();
    diff(normalise(a), normalise(b), "", out);
    return out;
  }

  private static void diff(JsonNode a, JsonNode b, String path, List<String> out) {
    if (a != null && b != null && a.isObject() && b.isObject()) {
      Set<String> names = new java.util.TreeSet<>();
      a.fieldNames().forEachRemaining(names::add);
      b.fieldNames().forEachRemaining(names::add);
      for (String n : names) {
        diff(a.get(n), b.get(n), SdkJson.join(path, n), out);
      }
    } else if (a != null && b != null && a.isArray() && b.isArray() && a.size() == b.size()) {
      for (int i = 0; i < a.size(); i++) {
        diff(a.get(i), b.get(i), path + "[" + i + "]", out);
      }
    } else if (a == null || !a.equals(b)) {
      out.add(path);
    }
  }

  /** The register request for a parsed, rendered and valid definition. */
  public static RegisterTaskDefinitionRequest toRequest(ObjectNode definition) {
    return SdkJson.toRequest(definition);
  }

  /**
   * Why a definition needs a task execution role and has none (empty when it has one or needs none). On
   * Fargate, ECS refuses RegisterTaskDefinition without {@code executionRoleArn} when a container pulls from a
   * private ECR repository, uses the awslogs driver, or has {@code secrets} or {@code repositoryCredentials}
   * (ECS developer guide, "Amazon ECS task execution IAM role").
   */
  public static List<String> executionRoleReasons(JsonNode definition) {
    List<String> reasons = new ArrayList<>();
    if (!definition.path("executionRoleArn").asText("").isBlank()) {
      return reasons;
    }
    boolean fargate = false;
    for (JsonNode c : definition.path("requiresCompatibilities")) {
      fargate |= "FARGATE".equals(c.asText());
    }
    for (JsonNode c : definition.path("containerDefinitions")) {
      String name = c.path("name").asText();
      if (fargate && isPrivateEcrImage(c.path("image").asText(""))) {
        reasons.add("container " + name + " pulls from a private ECR repository");
      }
      if (fargate && "awslogs".equals(c.path("logConfiguration").path("logDriver").asText())) {
        reasons.add("container " + name + " logs with the awslogs driver");
      }
      if (c.path("secrets").size() > 0 || c.path("logConfiguration").path("secretOptions").size() > 0) {
        reasons.add("container " + name + " reads secrets");
      }
      if (c.has("repositoryCredentials")) {
        reasons.add("container " + name + " uses private registry credentials");
      }
    }
    return reasons;
  }

  private static final java.util.regex.Pattern ECR_PRIVATE = java.util.regex.Pattern.compile(
      "\\d{12}\\.dkr\\.ecr(-fips)?\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/.*");

  /** True for an image in a private ECR repository ({@code ACCOUNT.dkr.ecr.REGION.amazonaws.com/...}). */
  public static boolean isPrivateEcrImage(String image) {
    return ECR_PRIVATE.matcher(image).matches();
  }

  /** The awslogs groups the definition's containers write to in {@code region} (its default region included). */
  public static java.util.Set<String> logGroups(JsonNode definition, String region) {
    java.util.Set<String> groups = new java.util.LinkedHashSet<>();
    for (JsonNode c : definition.path("containerDefinitions")) {
      JsonNode lc = c.path("logConfiguration");
      if ("awslogs".equals(lc.path("logDriver").asText())) {
        String group = lc.path("options").path("awslogs-group").asText("");
        String r = lc.path("options").path("awslogs-region").asText(region);
        if (!group.isBlank() && r.equals(region)) {
          groups.add(group);
        }
      }
    }
    return groups;
  }

  /** Container name to image, in the definition's order. */
  public static Map<String, String> containers(JsonNode definition) {
    Map<String, String> m = new LinkedHashMap<>();
    for (JsonNode c : definition.path("containerDefinitions")) {
      m.put(c.path("name").asText(), c.path("image").asText(null));
    }
    return m;
  }
}
