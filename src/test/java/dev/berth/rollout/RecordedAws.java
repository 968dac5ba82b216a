package dev.berth.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.testbed.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DescribeServicesRequest;
import software.amazon.awssdk.services.ecs.model.DescribeServicesResponse;
import software.amazon.awssdk.services.ecs.model.DescribeTasksRequest;
import software.amazon.awssdk.services.ecs.model.DescribeTasksResponse;
import software.amazon.awssdk.services.ecs.model.ListTasksRequest;
import software.amazon.awssdk.services.ecs.model.ListTasksResponse;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.DescribeTargetHealthRequest;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.DescribeTargetHealthResponse;

/**
 * ECS and ELBv2 answering from a recording under {@code src/test/resources/rollout/}: a JSON object with
 * {@code describeServices} (one response per poll, the last one repeated), and optionally {@code listTasks},
 * {@code describeTasks} and {@code describeTargetHealth} responses. A clock that the sleeper advances stands
 * in for time.
 */
final class RecordedAws {
  final JsonNode recording;
  final List<String> calls = new ArrayList<>();
  final List<Duration> sleeps = new ArrayList<>();
  final ManualClock clock;
  private int poll;

  RecordedAws(String name) {
    this.recording = SdkJson.resource("/rollout/" + name + ".json");
    this.clock = new ManualClock(Instant.parse(recording.path("clock").asText("2026-11-20T10:00:00Z")));
  }

  Sleeper sleeper() {
    return d -> {
      sleeps.add(d);
      clock.advance(d);
    };
  }

  int polls() {
    return poll;
  }

  EcsClient ecs() {
    return new EcsClient() {
      @Override
      public DescribeServicesResponse describeServices(DescribeServicesRequest r) {
        calls.add("DescribeServices " + r.cluster() + " " + r.services());
        JsonNode seq = recording.get("describeServices");
        JsonNode node = seq.get(Math.min(poll, seq.size() - 1));
        poll++;
        return SdkJson.parse(node, DescribeServicesResponse.class);
      }

      @Override
      public ListTasksResponse listTasks(ListTasksRequest r) {
        calls.add("ListTasks " + r.serviceName() + " " + r.desiredStatusAsString());
        JsonNode n = recording.get("listTasks");
        return n == null ? ListTasksResponse.builder().build() : SdkJson.parse(n, ListTasksResponse.class);
      }

      @Override
      public software.amazon.awssdk.services.ecs.model.DescribeTaskDefinitionResponse describeTaskDefinition(
          software.amazon.awssdk.services.ecs.model.DescribeTaskDefinitionRequest r) {
        calls.add("DescribeTaskDefinition " + r.taskDefinition());
        return SdkJson.parse(recording.get("describeTaskDefinition"),
            software.amazon.awssdk.services.ecs.model.DescribeTaskDefinitionResponse.class);
      }

      @Override
      public DescribeTasksResponse describeTasks(DescribeTasksRequest r) {
        calls.add("DescribeTasks " + r.tasks().size());
        return SdkJson.parse(recording.get("describeTasks"), DescribeTasksResponse.class);
      }

      @Override
      public String serviceName() {
        return "ecs";
      }

      @Override
      public void close() {}
    };
  }

  ElasticLoadBalancingV2Client elb() {
    return new ElasticLoadBalancingV2Client() {
      @Override
      public DescribeTargetHealthResponse describeTargetHealth(DescribeTargetHealthRequest r) {
        calls.add("DescribeTargetHealth " + r.targetGroupArn());
        JsonNode n = recording.get("describeTargetHealth");
        return n == null ? DescribeTargetHealthResponse.builder().build()
            : SdkJson.parse(n, DescribeTargetHealthResponse.class);
      }

      @Override
      public String serviceName() {
        return "elasticloadbalancing";
      }

      @Override
      public void close() {}
    };
  }

  /** Whether {@link #logs()} was asked for (the client is built only to explain a failure). */
  boolean logsClientBuilt;

  /**
   * CloudWatch Logs answering GetLogEvents from the recording's {@code getLogEvents} object (stream name ->
   * response, in the API reference's shape); a stream not recorded is ResourceNotFoundException, as AWS answers.
   */
  software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient logs() {
    logsClientBuilt = true;
    return new software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient() {
      @Override
      public software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse getLogEvents(
          software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsRequest r) {
        calls.add("GetLogEvents " + r.logGroupName() + " " + r.logStreamName() + " limit=" + r.limit()
            + " startFromHead=" + r.startFromHead());
        JsonNode n = recording.path("getLogEvents").get(r.logStreamName());
        if (n == null) {
          throw software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException.builder()
              .message("The specified log stream does not exist.").statusCode(400).build();
        }
        JsonNode events = n.get("events");
        // the newest `limit` events, oldest first, as GetLogEvents with startFromHead=false returns them
        com.fasterxml.jackson.databind.node.ObjectNode copy = n.deepCopy();
        if (r.limit() != null && events.size() > r.limit()) {
          com.fasterxml.jackson.databind.node.ArrayNode kept = copy.putArray("events");
          for (int i = events.size() - r.limit(); i < events.size(); i++) {
            kept.add(events.get(i));
          }
        }
        return SdkJson.parse(copy, software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse.class);
      }

      @Override
      public String serviceName() {
        return "logs";
      }

      @Override
      public void close() {}
    };
  }
}
