package dev.berth.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.berth.testbed.Registry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * HTTP_PROXY / NO_PROXY with the real docker-registry behind a forward proxy stand-in on loopback (it takes
 * absolute-form requests, as a corporate proxy does for http, and forwards them).
 */
class RegistryProxyIT {
  @Test
  void registryClient_goesThroughTheProxy_unlessNoProxyNamesTheHost() throws Exception {
    Registry registry = Registry.shared();
    List<String> seen = new CopyOnWriteArrayList<>();
    HttpServer proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    proxy.createContext("/", ex -> {
      URI target = ex.getRequestURI();
      seen.add(ex.getRequestMethod() + " " + target);
      HttpURLConnection c = (HttpURLConnection) target.toURL().openConnection(Proxy.NO_PROXY);
      c.setRequestMethod(ex.getRequestMethod());
      ex.getRequestHeaders().forEach((k, v) -> {
        if (!k.equalsIgnoreCase("Host") && !k.equalsIgnoreCase("Proxy-Connection")) {
          c.setRequestProperty(k, String.join(",", v));
        }
      });
      int status = c.getResponseCode();
      byte[] body;
      try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
        body = in == null ? new byte[0] : in.readAllBytes();
      }
      c.getHeaderFields().forEach((k, v) -> {
        if (k != null && !k.equalsIgnoreCase("Transfer-Encoding") && !k.equalsIgnoreCase("Content-Length")) {
          v.forEach(x -> ex.getResponseHeaders().add(k, x));
        }
      });
      ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      }
      ex.close();
    });
    proxy.start();
    try {
      String proxyUrl = "http://127.0.0.1:" + proxy.getAddress().getPort();
      RegistryClient viaProxy = new RegistryClient(registry.url(), null, RegistryClient.Settings.defaults(),
          Sleeper.REAL).withProxies(ProxyConfig.from(Map.of("HTTP_PROXY", proxyUrl)));

      assertTrue(viaProxy.getManifest("proxied/app", "1").isEmpty());

      assertEquals(1, seen.size(), seen.toString());
      assertTrue(seen.get(0).startsWith("GET " + registry.url() + "/v2/proxied/app/manifests/1"), seen.toString());

      RegistryClient direct = new RegistryClient(registry.url(), null, RegistryClient.Settings.defaults(),
          Sleeper.REAL).withProxies(ProxyConfig.from(Map.of("HTTP_PROXY", proxyUrl, "NO_PROXY", "127.0.0.1")));
      assertTrue(direct.getManifest("proxied/app", "2").isEmpty());
      assertEquals(1, seen.size(), "NO_PROXY host reached directly: " + seen);
    } finally {
      proxy.stop(0);
    }
  }
}
