package dev.berth.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.HttpURLConnection;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** The test bed itself: moto answers AWS calls made by berth's own client factory; registries answer /v2/. */
class ServersIT {
  @Test
  void registry_withAuth_answers401WithoutCredentials() throws Exception {
    try (Registry r = Registry.start("AWS", "secret-token")) {
      HttpURLConnection c = (HttpURLConnection) URI.create(r.url() + "/v2/").toURL().openConnection();
      assertEquals(401, c.getResponseCode());
    }
  }

  @Test
  void registry_shared_answers200() throws Exception {
    HttpURLConnection c = (HttpURLConnection) URI.create(Registry.shared().url() + "/v2/").toURL().openConnection();
    assertEquals(200, c.getResponseCode());
  }

  @Test
  void moto_callsThroughBerthClientFactory_reachTheServer() {
    MotoServer moto = MotoServer.shared();
    moto.reset();
    try (var aws = moto.clients()) {
      aws.ecs().createCluster(b -> b.clusterName("bed"));
      assertEquals(1, aws.ecs().listClusters().clusterArns().size());
      assertTrue(aws.calls().contains("ecs:CreateCluster"), aws.calls().toString());
    }
  }
}
