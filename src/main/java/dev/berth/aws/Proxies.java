package dev.berth.aws;

import dev.berth.image.ProxyConfig;
import dev.berth.report.InvalidInputException;
import dev.berth.report.SecretMasker;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.urlconnection.ProxyConfiguration;

/**
 * The proxy of the AWS clients: the environment as {@link ProxyConfig} reads it for every client of berth
 * (curl's rules: {@code HTTPS_PROXY} for https endpoints, AWS itself; {@code HTTP_PROXY} for plain http ones,
 * emulators; upper or lower case; {@code NO_PROXY}), turned into the SDK client's {@link ProxyConfiguration}. A
 * proxy URL is {@code http://[user:password@]host[:port]}; its password is masked in all output, and another
 * scheme is refused (exit 3).
 */
final class Proxies {
  private Proxies() {}

  /** The proxy for endpoints of SCHEME ("https" or "http"), or null when the environment names none. */
  static ProxyConfiguration forScheme(Map<String, String> env, String scheme) {
    ProxyConfig config = ProxyConfig.from(env);
    URI uri = scheme.equals("http") ? config.http() : config.https();
    String variable = scheme.equals("http") ? "HTTP_PROXY" : "HTTPS_PROXY";
    if (uri == null) {
      String given = env.getOrDefault(variable, env.get(variable.toLowerCase(Locale.ROOT)));
      if (given != null && !given.isBlank()) {
        throw new InvalidInputException(variable, "not a proxy URL (http://host:port)");
      }
      return null;
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
    if (!"http".equalsIgnoreCase(uri.getScheme())) {
      throw new InvalidInputException(variable, "a proxy is http://host[:port] (an http proxy, which also carries"
          + " https through CONNECT), got scheme " + uri.getScheme());
    }
    int port = uri.getPort() < 0 ? 80 : uri.getPort();
    ProxyConfiguration.Builder b = ProxyConfiguration.builder()
        .endpoint(URI.create("http://" + (uri.getHost().contains(":") && !uri.getHost().startsWith("[")
            ? "[" + uri.getHost() + "]" : uri.getHost()) + ":" + port))
        .useEnvironmentVariablesValues(false)
        .useSystemPropertyValues(false)
        .nonProxyHosts(nonProxyPatterns(config.noProxy()));
    if (user != null) {
      b.username(user);
    }
    if (password != null) {
      b.password(password);
    }
    return b.build();
  }

  /**
   * NO_PROXY as the regular expressions the SDK's client matches against a host (lower case): each entry
   * matches the host itself and its subdomains.
   */
  static Set<String> nonProxyPatterns(List<String> noProxy) {
    Set<String> patterns = new LinkedHashSet<>();
    for (String raw : noProxy) {
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
