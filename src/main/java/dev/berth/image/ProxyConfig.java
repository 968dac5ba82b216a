package dev.berth.image;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The proxies a CI agent names in its environment, as curl and Docker read them: {@code HTTPS_PROXY} for https
 * URLs, {@code HTTP_PROXY} for http URLs (upper or lower case), {@code NO_PROXY} a comma-separated list of hosts
 * that are reached directly ({@code *} for all; {@code example.com} or {@code .example.com} also covers its
 * subdomains; an entry may carry a port). A proxy URL's user info is not used (proxies that need a login are not
 * supported).
 *
 * @param https the proxy for https URLs, or null
 * @param http the proxy for http URLs, or null
 * @param noProxy NO_PROXY entries, lower case
 */
public record ProxyConfig(URI https, URI http, List<String> noProxy) {
  public static final ProxyConfig NONE = new ProxyConfig(null, null, List.of());

  public ProxyConfig {
    noProxy = List.copyOf(noProxy);
  }

  /** From an environment; a malformed proxy URL is ignored. */
  public static ProxyConfig from(Map<String, String> env) {
    List<String> no = new ArrayList<>();
    String n = first(env, "NO_PROXY", "no_proxy");
    if (n != null) {
      for (String e : n.split(",")) {
        if (!e.isBlank()) {
          no.add(e.trim().toLowerCase(Locale.ROOT));
        }
      }
    }
    return new ProxyConfig(uri(first(env, "HTTPS_PROXY", "https_proxy")), uri(first(env, "HTTP_PROXY", "http_proxy")),
        no);
  }

  private static String first(Map<String, String> env, String a, String b) {
    String v = env.get(a);
    if (v == null || v.isBlank()) {
      v = env.get(b);
    }
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static URI uri(String text) {
    if (text == null) {
      return null;
    }
    try {
      URI u = URI.create(text.contains("://") ? text : "http://" + text);
      return u.getHost() == null ? null : u;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The proxy for a URL: {@link Proxy#NO_PROXY} when none applies. */
  public Proxy proxyFor(URI target) {
    URI p = "https".equalsIgnoreCase(target.getScheme()) ? https : http;
    if (p == null || bypassed(target)) {
      return Proxy.NO_PROXY;
    }
    int port = p.getPort() != -1 ? p.getPort() : "https".equalsIgnoreCase(p.getScheme()) ? 443 : 80;
    return new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(p.getHost(), port));
  }

  private boolean bypassed(URI target) {
    String host = target.getHost() == null ? "" : target.getHost().toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = target.getPort() != -1 ? target.getPort() : "https".equalsIgnoreCase(target.getScheme()) ? 443 : 80;
    for (String e : noProxy) {
      if (e.equals("*")) {
        return true;
      }
      String entry = e;
      int colon = entry.lastIndexOf(':');
      if (colon > 0 && entry.indexOf(':') == colon && entry.substring(colon + 1).matches("\\d+")) {
        if (Integer.parseInt(entry.substring(colon + 1)) != port) {
          continue;
        }
        entry = entry.substring(0, colon);
      }
      if (entry.startsWith("[") && entry.endsWith("]")) {
        entry = entry.substring(1, entry.length() - 1);
      }
      String bare = entry.startsWith(".") ? entry.substring(1) : entry;
      if (host.equals(bare) || host.endsWith("." + bare)) {
        return true;
      }
    }
    return false;
  }
}
