package dev.berth.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.protocol.MarshallLocation;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;
import software.amazon.awssdk.services.applicationautoscaling.ApplicationAutoScalingClient;
import software.amazon.awssdk.services.ecs.EcsClient;

/**
 * The light clients ({@code LightEcsClient}, {@code LightApplicationAutoScalingClient}) are generated from the SDK's
 * client interfaces: every operation of the interface goes through {@link JsonService}. This test fails when they
 * are stale (an SDK upgrade added an operation) and rewrites them with {@code -Dberth.regenerate=true}; it also
 * fails when an operation's shapes hold something {@link JsonWire} does not carry (a header or URI member, a
 * member type it does not know), so an SDK upgrade cannot silently send such a member wrong.
 */
class LightClientsInSyncTest {
  static final String REGENERATE = "mvn -o -q -B test -Dtest=LightClientsInSyncTest -Dberth.regenerate=true";
  static final Path DIR = Path.of("src/main/java/dev/berth/aws");

  record Service(Class<?> client, String className, String specArgs) {}

  static final List<Service> SERVICES = List.of(
      new Service(EcsClient.class, "LightEcsClient",
          "\"ecs\", \"ecs\", \"AmazonEC2ContainerServiceV20141113\", \"Ecs\",\n"
          + "      \"software.amazon.awssdk.services.ecs.model\",\n"
          + "      software.amazon.awssdk.services.ecs.model.EcsException.class"),
      new Service(ApplicationAutoScalingClient.class, "LightApplicationAutoScalingClient",
          "\"application-autoscaling\", \"application-autoscaling\", \"AnyScaleFrontendService\",\n"
          + "      \"ApplicationAutoScaling\", \"software.amazon.awssdk.services.applicationautoscaling.model\",\n"
          + "      software.amazon.awssdk.services.applicationautoscaling.model.ApplicationAutoScalingException.class"));

  @Test
  void generatedClients_matchTheSdkInterfaces() throws Exception {
    boolean regenerate = Boolean.getBoolean("berth.regenerate");
    List<String> stale = new ArrayList<>();
    for (Service s : SERVICES) {
      Path p = DIR.resolve(s.className() + ".java");
      String want = generate(s);
      String have = Files.exists(p) ? Files.readString(p) : null;
      if (!want.equals(have)) {
        if (regenerate) {
          Files.writeString(p, want);
        } else {
          stale.add(p.toString());
        }
      }
    }
    if (!stale.isEmpty()) {
      fail("stale light clients (the SDK's client interface changed): " + stale + "\nregenerate with: " + REGENERATE);
    }
  }

  @Test
  void everyOperationsShapes_holdOnlyWhatJsonWireCarries() {
    for (Service s : SERVICES) {
      List<Method> ops = operations(s.client());
      assertTrue(ops.size() > 10, s.client() + " has operations");
      Set<Class<?>> seen = new HashSet<>();
      for (Method m : ops) {
        check(builderOf(m.getParameterTypes()[0]), m.getName(), seen);
        check(builderOf(m.getReturnType()), m.getName(), seen);
      }
    }
  }

  private static SdkPojo builderOf(Class<?> type) {
    try {
      return (SdkPojo) type.getMethod("builder").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(type + " has no builder()", e);
    }
  }

  private static void check(SdkPojo pojo, String where, Set<Class<?>> seen) {
    if (!seen.add(pojo.getClass())) {
      return;
    }
    for (SdkField<?> f : pojo.sdkFields()) {
      assertEquals(MarshallLocation.PAYLOAD, f.location(), where + ": " + f.memberName());
      checkType(f, where, seen);
    }
  }

  private static void checkType(SdkField<?> f, String where, Set<Class<?>> seen) {
    MarshallingType<?> t = f.marshallingType();
    assertTrue(t != MarshallingType.NULL, where + ": " + f.memberName() + " is " + t);
    if (t == MarshallingType.LIST) {
      checkType(f.getTrait(ListTrait.class).memberFieldInfo(), where, seen);
    } else if (t == MarshallingType.MAP) {
      checkType(f.getTrait(MapTrait.class).valueFieldInfo(), where, seen);
    } else if (t == MarshallingType.SDK_POJO) {
      check(f.constructor().get(), where, seen);
    }
  }

  /** The interface's operations: one SDK request in, one SDK response out (not the Consumer forms). */
  static List<Method> operations(Class<?> client) {
    List<Method> ops = new ArrayList<>();
    for (Method m : client.getDeclaredMethods()) {
      if (m.isDefault() && !Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 1
          && SdkRequest.class.isAssignableFrom(m.getParameterTypes()[0])
          && SdkResponse.class.isAssignableFrom(m.getReturnType())) {
        ops.add(m);
      }
    }
    ops.sort(Comparator.comparing(Method::getName));
    return ops;
  }

  static String generate(Service s) {
    Class<?> c = s.client();
    String iface = c.getSimpleName();
    String pkg = c.getPackageName();
    String version = software.amazon.awssdk.core.util.VersionInfo.SDK_VERSION;
    StringBuilder b = new StringBuilder();
    b.append("// Generated by LightClientsInSyncTest from the AWS SDK's ").append(iface).append(" (").append(version)
        .append("); do not edit.\n// Regenerate: ").append(REGENERATE).append('\n');
    b.append("package dev.berth.aws;\n\n");
    b.append("import java.util.function.Supplier;\n");
    b.append("import ").append(c.getName()).append(";\n\n");
    b.append("/**\n * {@link ").append(iface).append("} through {@link JsonService}: every operation of the SDK's")
        .append(" interface as a JSON call,\n * a request with its own override configuration and everything that")
        .append(" is not an operation (waiters,\n * the client's configuration) through the SDK client, built only")
        .append(" then.\n */\n");
    b.append("final class ").append(s.className()).append(" implements ").append(iface).append(" {\n");
    b.append("  static final JsonService.Spec SPEC = new JsonService.Spec(").append(s.specArgs()).append(");\n\n");
    b.append("  private final JsonService light;\n");
    b.append("  private final Supplier<").append(iface).append("> sdk;\n\n");
    b.append("  ").append(s.className()).append("(JsonService light, Supplier<").append(iface)
        .append("> sdk) {\n    this.light = light;\n    this.sdk = sdk;\n  }\n\n");
    b.append("  @Override\n  public String serviceName() {\n    return SERVICE_NAME;\n  }\n\n");
    b.append("  /** Closes nothing: AwsClients closes the SDK client when it built one. */\n");
    b.append("  @Override\n  public void close() {\n  }\n\n");
    b.append("  @Override\n  public ").append(pkg).append('.').append(iface.replace("Client", ""))
        .append("ServiceClientConfiguration serviceClientConfiguration() {\n")
        .append("    return sdk.get().serviceClientConfiguration();\n  }\n");
    if (java.util.Arrays.stream(c.getMethods()).anyMatch(m -> m.getName().equals("waiter"))) {
      b.append("\n  @Override\n  public ").append(pkg).append(".waiters.").append(iface.replace("Client", ""))
          .append("Waiter waiter() {\n    return sdk.get().waiter();\n  }\n");
    }
    for (Method m : operations(c)) {
      String req = m.getParameterTypes()[0].getName();
      String resp = m.getReturnType().getName();
      String op = m.getParameterTypes()[0].getSimpleName().replaceFirst("Request$", "");
      b.append("\n  @Override\n  public ").append(resp).append(' ').append(m.getName()).append('(').append(req)
          .append(" request) {\n");
      b.append("    if (JsonService.needsSdk(request)) {\n      return sdk.get().").append(m.getName())
          .append("(request);\n    }\n");
      b.append("    return (").append(resp).append(") light.call(\"").append(op).append("\", request,\n        ")
          .append(resp).append(".builder());\n  }\n");
    }
    b.append("}\n");
    return b.toString();
  }
}
