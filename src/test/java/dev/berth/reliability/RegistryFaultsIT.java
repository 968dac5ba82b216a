package dev.berth.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.image.Manifest;
import dev.berth.image.RegistryClient;
import dev.berth.image.RegistryCredentials;
import dev.berth.image.Sleeper;
import dev.berth.report.Json;
import dev.berth.testbed.Berth;
import dev.berth.testbed.FaultProxy;
import dev.berth.testbed.FaultProxy.Exchange;
import dev.berth.testbed.FaultProxy.Fault;
import dev.berth.testbed.Registry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Registry faults during ecr-push: a blob upload cut half way, and a 503 on the manifest PUT, are retried and
 * the push completes with the source's digest; the manifest (the tag) is put only after every blob is in.
 */
class RegistryFaultsIT {

  /** True for the first {@code n} requests that pass {@code p}. */
  private static Predicate<Exchange> first(int n, Predicate<Exchange> p) {
    AtomicInteger seen = new AtomicInteger();
    return e -> p.test(e) && seen.incrementAndGet() <= n;
  }

  private static boolean blobUpload(Exchange e) {
    return (e.method().equals("PUT") || e.method().equals("PATCH")) && e.path().contains("/blobs/uploads/");
  }

  private static boolean manifestPut(Exchange e) {
    return e.method().equals("PUT") && e.path().contains("/manifests/");
  }

  private void pushThrough(Fault fault, Predicate<Exchange> where, String tag) throws Exception {
    try (Registry target = Flow.ecrRegistry()) {
      Flow flow = new Flow(target);
      String sourceDigest = new RegistryClient(flow.source.url(), null, RegistryClient.Settings.defaults(),
          Sleeper.REAL).manifestDigest(Flow.SOURCE_IMAGE, "1.0").orElseThrow();
      try (FaultProxy proxy = FaultProxy.to(target.url()).rate(1.0).faults(fault).only(first(1, where)).start()) {
        flow.registryEndpoint = proxy.endpoint();
        Berth.Run run = flow.inProcess(Map.of(), flow.push("1.0", tag));
        System.out.println(fault + ": " + proxy + "\n" + run);
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(1, proxy.injected().get(fault), proxy.toString());
        assertEquals(sourceDigest, run.json().get("digest").asText());
        RegistryClient ecr = new RegistryClient(target.url(), RegistryCredentials.Source.of(
            new RegistryCredentials("AWS", Flow.TOKEN)), RegistryClient.Settings.defaults(), Sleeper.REAL);
        Manifest m = ecr.getManifest(Flow.REPOSITORY, tag).orElseThrow();
        assertEquals(sourceDigest, m.digest());
        JsonNode doc = Json.mapper().readTree(m.bytes());
        assertTrue(ecr.hasBlob(Flow.REPOSITORY, doc.at("/config/digest").asText()));
        for (JsonNode layer : doc.get("layers")) {
          assertTrue(ecr.hasBlob(Flow.REPOSITORY, layer.get("digest").asText()), layer.toString());
        }
        // the tag is put only after every blob upload has completed
        List<Exchange> log = proxy.exchanges();
        int lastUpload = -1;
        int firstManifest = Integer.MAX_VALUE;
        for (int i = 0; i < log.size(); i++) {
          if (blobUpload(log.get(i)) && log.get(i).status() == 201) {
            lastUpload = i;
          }
          if (manifestPut(log.get(i)) && firstManifest == Integer.MAX_VALUE) {
            firstManifest = i;
          }
        }
        assertTrue(lastUpload >= 0 && lastUpload < firstManifest, "uploads end at " + lastUpload
            + ", the manifest is first put at " + firstManifest + ": " + log);
      }
    }
  }

  @Test
  void blobUploadCutHalfWay_isRetried_andThePushCompletesWithTheSourceDigest() throws Exception {
    pushThrough(Fault.CUT, RegistryFaultsIT::blobUpload, "cut");
  }

  @Test
  void manifestPut503_isRetried_andThePushCompletesWithTheSourceDigest() throws Exception {
    pushThrough(Fault.ERROR_503, RegistryFaultsIT::manifestPut, "m503");
  }
}
