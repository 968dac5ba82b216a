package dev.berth.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanTest {
  static JsonNode json(String text) throws Exception {
    return Json.mapper().readTree(text);
  }

  @Test
  void text_whenCreateUpdateDelete_readsAsAPersonWouldAndAgreesWithTheJson() throws Exception {
    Plan plan = Plan.builder()
        .add(Change.create("ecr:repository", "opensourceapirepo", List.of(Change.Field.set("imageTagMutability",
            "IMMUTABLE"))))
        .add(Change.updateIfChanged("ecs:service", "gantt/web", List.of(Change.Field.of("desiredCount", 2, 3),
            Change.Field.of("platformVersion", "LATEST", "LATEST"))))
        .add(Change.updateIfChanged("ecs:service", "gantt/other", List.of(Change.Field.of("desiredCount", 1, 1))))
        .add(Change.delete("ecs:task-definition", "web:3"))
        .build();
    assertEquals(List.of(
        "plan (dry run, nothing was changed): 3 changes",
        "  + create ecr:repository opensourceapirepo",
        "      imageTagMutability: IMMUTABLE",
        "  ~ update ecs:service gantt/web",
        "      desiredCount: 2 -> 3",
        "  - delete ecs:task-definition web:3"), Plan.text(plan.changes(), true));

    // the result's JSON and back: what the CLI prints from a result is the step's list
    JsonNode node = Json.tree(java.util.Map.of("changes", plan.changes())).get("changes");
    assertEquals("update", node.get(1).get("action").asText());
    assertEquals("desiredCount", node.get(1).get("fields").get(0).get("field").asText());
    assertEquals(2, node.get(1).get("fields").get(0).get("before").asInt());
    assertEquals(3, node.get(1).get("fields").get(0).get("after").asInt());
    assertEquals(plan.changes(), Plan.fromJson(node));
  }

  @Test
  void fieldOf_plainValues_areTheNodesJacksonMakes_andARoundTripKeepsUnsetValues() {
    Object[] values = {"text", 3, 5_000_000_000L, true, false, 1.5, List.of(1, "a"), java.util.Map.of("k", 2)};
    for (Object v : values) {
      Change.Field f = Change.Field.of("x", v, null);
      assertEquals(Json.mapper().valueToTree(v), f.before(), String.valueOf(v));
      assertEquals(Json.mapper().valueToTree(v).getClass(), f.before().getClass(), String.valueOf(v));
      assertTrue(f.after().isNull());
    }
    List<Change> changes = List.of(Change.create("ecs:service", "gantt/web", List.of(Change.Field.set("desiredCount",
        2))), Change.update("ecs:service", "gantt/web", List.of(Change.Field.of("platformVersion", "1.4.0", null))));
    assertEquals(changes, Plan.fromJson(Json.tree(java.util.Map.of("changes", changes)).get("changes")));
  }

  @Test
  void text_whenNoChange_saysSo() {
    assertEquals(List.of("plan (dry run, nothing was changed): no changes"), Plan.text(List.of(), true));
  }

  @Test
  void diff_whenContainersChange_matchesListsByNameAndGivesPathsWithOldAndNew() throws Exception {
    JsonNode before = json("{\"family\":\"web\",\"cpu\":\"256\",\"containerDefinitions\":["
        + "{\"name\":\"app\",\"image\":\"repo@sha256:aaa\",\"environment\":[{\"name\":\"A\",\"value\":\"1\"}]},"
        + "{\"name\":\"sidecar\",\"image\":\"envoy:1\"}]}");
    JsonNode after = json("{\"family\":\"web\",\"cpu\":\"512\",\"containerDefinitions\":["
        + "{\"name\":\"sidecar\",\"image\":\"envoy:1\"},"
        + "{\"name\":\"app\",\"image\":\"repo@sha256:bbb\",\"environment\":[{\"name\":\"A\",\"value\":\"1\"},"
        + "{\"name\":\"B\",\"value\":\"2\"}]}],\"taskRoleArn\":\"arn:aws:iam::1:role/r\"}");
    List<Change.Field> d = Plan.diff(before, after);
    List<String> text = d.stream().map(f -> Plan.field(Change.Action.UPDATE, f)).toList();
    assertEquals(List.of(
        "cpu: 256 -> 512",
        "containerDefinitions[app].image: repo@sha256:aaa -> repo@sha256:bbb",
        "containerDefinitions[app].environment[B]: (unset) -> {\"name\":\"B\",\"value\":\"2\"}",
        "taskRoleArn: (unset) -> arn:aws:iam::1:role/r"), text);
    assertEquals(List.of(), Plan.diff(before, before));
  }

  @Test
  void diff_whenNothingBefore_listsEveryFieldAsSet() throws Exception {
    List<Change.Field> d = Plan.diff(null, json("{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"app\","
        + "\"image\":\"nginx:1\"}]}"));
    assertEquals(List.of("family: web", "containerDefinitions: [{\"name\":\"app\",\"image\":\"nginx:1\"}]"),
        d.stream().map(f -> Plan.field(Change.Action.CREATE, f)).toList());
  }

  @Test
  void updateIfChanged_whenNothingDiffers_isNull() {
    assertNull(Change.updateIfChanged("ecs:service", "a/b", List.of(Change.Field.of("x", List.of(1), List.of(1)))));
  }

  @Test
  void value_whenLongOrMultiLine_staysOnOneBoundedLine() {
    String v = Plan.value(Json.mapper().valueToTree("a\nb" + "x".repeat(500)));
    assertEquals(Plan.MAX_VALUE, v.length());
    assertEquals("a\\nbx", v.substring(0, 5));
  }
}
