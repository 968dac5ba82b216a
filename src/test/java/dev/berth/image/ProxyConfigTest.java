package dev.berth.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Proxy;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProxyConfigTest {
  static String via(ProxyConfig c, String url) {
    Proxy p = c.proxyFor(URI.create(url));
    return p == Proxy.NO_PROXY ? "direct" : p.address().toString();
  }

  @Test
  void proxyFor_bySchemeWithNoProxyExceptions() {
    ProxyConfig c = ProxyConfig.from(Map.of("HTTPS_PROXY", "http://proxy.corp:3128", "http_proxy", "proxy.corp:8080",
        "NO_PROXY", "localhost, .internal.corp,registry.example.com:5000,10.1.2.3"));

    assertEquals("proxy.corp/<unresolved>:3128", via(c, "https://123456789012.dkr.ecr.us-east-2.amazonaws.com/v2/"));
    assertEquals("proxy.corp/<unresolved>:8080", via(c, "http://mirror.example.com/v2/"));
    assertEquals("direct", via(c, "http://localhost:5000/v2/"));
    assertEquals("direct", via(c, "https://registry.internal.corp/v2/"));
    assertEquals("direct", via(c, "https://internal.corp/v2/"));
    assertEquals("direct", via(c, "https://registry.example.com:5000/v2/"));
    assertEquals("proxy.corp/<unresolved>:3128", via(c, "https://registry.example.com/v2/"), "another port");
    assertEquals("direct", via(c, "http://10.1.2.3/v2/"));
    assertEquals("proxy.corp/<unresolved>:3128", via(c, "https://notinternal.corp/v2/"));
  }

  @Test
  void proxyFor_withoutProxiesOrWithStar_isDirect() {
    assertEquals("direct", via(ProxyConfig.from(Map.of()), "https://x.example/v2/"));
    assertEquals("direct", via(ProxyConfig.from(Map.of("HTTPS_PROXY", "http://p:1", "no_proxy", "*")),
        "https://x.example/v2/"));
  }
}
