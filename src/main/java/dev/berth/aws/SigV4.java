package dev.berth.aws;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 for berth's light JSON clients (and ecr-push's ECR client): a POST with a JSON body to a
 * service endpoint, signed with the headers it carries (AWS General Reference, "Create a signed AWS API request"). The
 * AWS SDK's own signer does the same but its set-up starts the SDK's logging (SLF4J 1.7, which no start-up cache can
 * hold); SigV4Test holds this one to the SDK signer's Authorization header byte for byte, and the emulator with IAM
 * enforced (IamEnforcedIT) checks the signatures as AWS does. No secret is kept or printed: the key is derived per
 * request and only the signature leaves.
 */
public final class SigV4 {
  private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private SigV4() {}

  /**
   * The headers to send: HEADERS (content type, target) plus Host, x-amz-content-sha256, X-Amz-Date,
   * X-Amz-Security-Token when there is a session token, and Authorization. Host is returned too (the caller's HTTP
   * client sets it itself).
   */
  public static Map<String, String> sign(String method, URI uri, Map<String, String> headers, byte[] payload,
      String accessKeyId, String secretAccessKey, String sessionToken, String region, String service, Instant now) {
    String amzDate = AMZ_DATE.format(now);
    String date = amzDate.substring(0, 8);
    TreeMap<String, String> signed = new TreeMap<>();
    for (Map.Entry<String, String> h : headers.entrySet()) {
      signed.put(h.getKey().toLowerCase(java.util.Locale.ROOT), trimAll(h.getValue()));
    }
    String payloadHash = hex(sha256(payload));
    signed.put("host", host(uri));
    signed.put("x-amz-content-sha256", payloadHash); // sent and signed, as the SDK's signer does
    signed.put("x-amz-date", amzDate);
    if (sessionToken != null && !sessionToken.isEmpty()) {
      signed.put("x-amz-security-token", sessionToken);
    }
    StringBuilder canonicalHeaders = new StringBuilder();
    StringBuilder signedNames = new StringBuilder();
    for (Map.Entry<String, String> h : signed.entrySet()) {
      canonicalHeaders.append(h.getKey()).append(':').append(h.getValue()).append('\n');
      if (signedNames.length() > 0) {
        signedNames.append(';');
      }
      signedNames.append(h.getKey());
    }
    String canonicalRequest = method + '\n' + canonicalPath(uri) + '\n' + canonicalQuery(uri) + '\n'
        + canonicalHeaders + '\n' + signedNames + '\n' + payloadHash;
    String scope = date + '/' + region + '/' + service + "/aws4_request";
    String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + '\n' + scope + '\n'
        + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8), date);
    key = hmac(key, region);
    key = hmac(key, service);
    key = hmac(key, "aws4_request");
    String signature = hex(hmac(key, stringToSign));
    TreeMap<String, String> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    out.putAll(headers);
    out.put("Host", signed.get("host"));
    out.put("x-amz-content-sha256", payloadHash);
    out.put("X-Amz-Date", amzDate);
    if (signed.containsKey("x-amz-security-token")) {
      out.put("X-Amz-Security-Token", sessionToken);
    }
    out.put("Authorization", "AWS4-HMAC-SHA256 Credential=" + accessKeyId + '/' + scope + ", SignedHeaders="
        + signedNames + ", Signature=" + signature);
    return out;
  }

  /** host, or host:port when the port is not the scheme's default. */
  static String host(URI uri) {
    int port = uri.getPort();
    boolean defaultPort = port == -1 || ("https".equalsIgnoreCase(uri.getScheme()) && port == 443)
        || ("http".equalsIgnoreCase(uri.getScheme()) && port == 80);
    return defaultPort ? uri.getHost() : uri.getHost() + ':' + port;
  }

  /** The path, each segment URI-encoded twice (every service but S3), "/" when empty. */
  static String canonicalPath(URI uri) {
    String raw = uri.getRawPath();
    if (raw == null || raw.isEmpty()) {
      return "/";
    }
    StringBuilder b = new StringBuilder();
    String[] segments = raw.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        b.append('/');
      }
      b.append(encode(segments[i]));
    }
    return b.toString();
  }

  static String canonicalQuery(URI uri) {
    String q = uri.getRawQuery();
    if (q == null || q.isEmpty()) {
      return "";
    }
    TreeMap<String, String> params = new TreeMap<>();
    for (String p : q.split("&")) {
      int eq = p.indexOf('=');
      String k = java.net.URLDecoder.decode(eq < 0 ? p : p.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : java.net.URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8);
      params.put(encodeOnce(k), encodeOnce(v));
    }
    StringBuilder b = new StringBuilder();
    params.forEach((k, v) -> b.append(b.length() == 0 ? "" : "&").append(k).append('=').append(v));
    return b.toString();
  }

  private static String encode(String rawSegment) {
    // the raw (already percent-encoded) segment, encoded once more
    return encodeOnce(rawSegment);
  }

  /** RFC 3986 percent-encoding of everything but the unreserved characters. */
  static String encodeOnce(String s) {
    StringBuilder b = new StringBuilder();
    for (byte c : s.getBytes(StandardCharsets.UTF_8)) {
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
          || c == '.' || c == '~') {
        b.append((char) c);
      } else {
        b.append('%').append(Character.toUpperCase(HEX[(c >> 4) & 0xf])).append(Character.toUpperCase(HEX[c & 0xf]));
      }
    }
    return b.toString();
  }

  private static String trimAll(String v) {
    return v == null ? "" : v.trim().replaceAll(" +", " ");
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  static String hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[bytes[i] & 0xf];
    }
    return new String(out);
  }
}
