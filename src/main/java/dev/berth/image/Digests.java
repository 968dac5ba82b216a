package dev.berth.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Content digests ({@code sha256:<64 hex>}). */
public final class Digests {
  private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");

  private Digests() {}

  public static boolean isValid(String digest) {
    return digest != null && SHA256.matcher(digest).matches();
  }

  public static String sha256(byte[] bytes) {
    return "sha256:" + HexFormat.of().formatHex(newSha256().digest(bytes));
  }

  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String hex(MessageDigest md) {
    return "sha256:" + HexFormat.of().formatHex(md.digest());
  }

  /** A short form for progress lines: sha256:0123456789ab. */
  public static String shortForm(String digest) {
    return digest != null && digest.length() > 19 ? digest.substring(0, 19) : digest;
  }
}
