package dev.berth.aws;

import dev.berth.report.InvalidInputException;
import dev.berth.report.SecretMasker;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.urlconnection.ProxyConfiguration;

/**
 * The proxy of the AWS clients, from the environment as curl and the AWS CLI read it: {@code https_proxy} /
 * {@code HTTPS_PROXY} for https endpoints (AWS itself), {@code http_proxy} / {@code HTTP_PROXY} for plain http
 * ones (emulators), the lower-case name first; {@code no_proxy} / {@code NO_PROXY} lists hosts reached directly
 * (comma separated; {@code example.com} and {@code .example.com} cover the domain and its subdomains, {@code *}
 * every host; a port is ignored). A proxy URL is {@code http://[user:password@]host[:port]}; its password is
 * masked in all output.
 */
final class Proxies {
  private Proxies() {}

  /** The proxy for endpoints of SCHEME ("https" or "http"), or null when the environment names none. */
  static ProxyConfiguration forScheme(Map<String, String> env, String scheme) {
    String name = scheme.equals("http") ? "http_proxy" : "https_proxy";
    String variable = first(env, name, name.toUpperCase(Locale.ROOT));
    if (variable == null) {
      return null;
    }
    String value = env.get(variable).trim();
    URI uri;
    try {
      uri = new URI(value.contains("://") ? value : "http://" + value);
    } catch (URISyntaxException e) {
      throw new InvalidInputException(variable, "not a proxy URL (http://host:port)");
    }
    String user = null;
    String password = null;
    if (uri.getRawUserInfo() != null) {
      String info = uri.getRawUserInfo();
      int colon = info.indexOf(':');
      user = URLDecoder.decode(colon < 0 ? info : info.substring(0, colon), StandardCharsets.UTF_8);
      password = colon < 0 ? null : URLDecoder.decode(info.substring(colon + 1), StandardCharsets.UTF_8);
      SecretMasker.global().register(password);
      SecretMasker.global().register(info.substring(colon + 1));
    }
    if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      throw new InvalidInputException(variable, "a proxy is http://host[:port] (an http proxy, which also carries"
          + " https through CONNECT), got scheme " + uri.getScheme() + (uri.getHost() == null ? " and no host" : ""));
    }
    int port = uri.getPort() < 0 ? 80 : uri.getPort();
    ProxyConfiguration.Builder b = ProxyConfiguration.builder()
        .endpoint(URI.create("http://" + (uri.getHost().contains(":") && !uri.getHost().startsWith("[")
            ? "[" + uri.getHost() + "]" : uri.getHost()) + ":" + port))
        .useEnvironmentVariablesValues(false)
        .useSystemPropertyValues(false)
        .nonProxyHosts(nonProxyPatterns(env.get(first(env, "no_proxy", "NO_PROXY"))));
    if (user != null) {
      b.username(user);
    }
    if (password != null) {
      b.password(password);
    }
    return b.build();
  }

  /** The first of NAMES set to something other than blanks, or null. */
  private static String first(Map<String, String> env, String... names) {
    for (String n : names) {
      String v = env.get(n);
      if (v != null && !v.isBlank()) {
        return n;
      }
    }
    return null;
  }

  /**
   * NO_PROXY as the regular expressions the SDK's client matches against a host (lower case): each entry
   * matches the host itself and its subdomains.
   */
  static Set<String> nonProxyPatterns(String noProxy) {
    Set<String> patterns = new LinkedHashSet<>();
    if (noProxy == null) {
      return patterns;
    }
    for (String raw : noProxy.split(",")) {
      String e = raw.trim().toLowerCase(Locale.ROOT);
      if (e.isEmpty()) {
        continue;
      }
      if (e.equals("*")) {
        patterns.add(".*");
        continue;
      }
      if (e.startsWith("[")) {
        int end = e.indexOf(']');
        String ip = end > 0 ? e.substring(1, end) : e.substring(1);
        patterns.add(Pattern.quote(ip));
        patterns.add(Pattern.quote("[" + ip + "]"));
        continue;
      }
      if (e.chars().filter(c -> c == ':').count() == 1) {
        e = e.substring(0, e.indexOf(':')); // host:port
      } else if (e.contains(":")) {
        patterns.add(Pattern.quote("[" + e + "]")); // a bare IPv6 address
        patterns.add(Pattern.quote(e));
        continue;
      }
      while (e.startsWith("*.") || e.startsWith(".")) {
        e = e.substring(e.startsWith("*.") ? 2 : 1);
      }
      if (!e.isEmpty()) {
        patterns.add("(?:.*\\.)?" + Pattern.quote(e));
      }
    }
    return patterns;
  }
}
