package dev.berth.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one image-reference parser, against Docker's reference grammar (distribution/reference, normalize.go). */
class ImageReferenceTest {
  static final String D = "sha256:0c1e5fbd0e8b3c4b1d3fe4b1a0f2d6b5c9e8a7d6c5b4a3928170f6e5d4c3b2a1";

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "node|docker.io|library/node|-|-",
      "node:20-alpine|docker.io|library/node|20-alpine|-",
      "library/node:20|docker.io|library/node|20|-",
      "user/app:v1|docker.io|user/app|v1|-",
      "docker.io/node|docker.io|library/node|-|-",
      "index.docker.io/user/app|docker.io|user/app|-|-",
      "Registry/app|Registry|app|-|-",
      "localhost/app|localhost|app|-|-",
      "localhost:5000/a/b@" + D + "|localhost:5000|a/b|-|" + D,
      "127.0.0.1:5000/team/app:1.2@" + D + "|127.0.0.1:5000|team/app|1.2|" + D,
      "[::1]:5000/app:1|[::1]:5000|app|1|-",
      "123456789012.dkr.ecr.us-east-2.amazonaws.com/opensourceapirepo:my-node-container|"
          + "123456789012.dkr.ecr.us-east-2.amazonaws.com|opensourceapirepo|my-node-container|-",
      "ghcr.io/o/r:v1@" + D + "|ghcr.io|o/r|v1|" + D,
      "a__b-c/e---f.g|docker.io|a__b-c/e---f.g|-|-"})
  void parse_whenValid_splitsAsDockerDoes(String ref, String registry, String repo, String tag, String digest) {
    assertEquals(new ImageReference(registry, repo, tag, digest), ImageReference.parse(ref));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Node|'Node' is not an image reference: repository name 'Node' must be lowercase",
      "registry.example.com/Team/app|repository name 'Team/app' must be lowercase",
      "node:|'' is not a tag",
      "node@sha256:abcd|'sha256:abcd' is not a digest",
      "node@sha256:0c1e5fbd0e8b3c4b1d3fe4b1a0f2d6b5c9e8a7d6c5b4a3928170f6e5d4c3b2a1ff|a sha256 digest has 64",
      "node@sha256:0C1E5FBD0E8B3C4B1D3FE4B1A0F2D6B5C9E8A7D6C5B4A3928170F6E5D4C3B2A1|a sha256 digest has 64",
      "node@md5:0c1e5fbd0e8b3c4b1d3fe4b1a0f2d6b5|unsupported digest algorithm",
      "node_|'node_' is not a repository name",
      "my node|it contains white space",
      "reg.io/|'' is not a repository name",
      "nginx:::1|'nginx::' is not a repository name",
      "-bad.host/app|'-bad.host' is not a registry host",
      "0c1e5fbd0e8b3c4b1d3fe4b1a0f2d6b5c9e8a7d6c5b4a3928170f6e5d4c3b2a1|is an image id",
      "https://registry.example.com/app:1|an image reference is not a URL"})
  void parse_whenInvalid_saysWhy(String ref, String part) {
    var e = assertThrows(ImageReference.InvalidReference.class, () -> ImageReference.parse(ref));
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }

  @Test
  void parse_whenTheNameIsLongerThan255_refuses() {
    String name = "registry.example.com/" + "a".repeat(240);
    var e = assertThrows(ImageReference.InvalidReference.class, () -> ImageReference.parse(name));
    assertTrue(e.getMessage().contains("longer than 255"), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "https://AKIAUSERINFOKEY:wJalrUserInfoSecret@registry.example.com/team/app:1|wJalrUserInfoSecret",
      "http://deploy:hunter2pass@127.0.0.1:5000/app|hunter2pass",
      "AKIAUSERINFOKEY:wJalrUserInfoSecret2@registry.example.com/team/app:1|wJalrUserInfoSecret2",
      "robot:tokenvalue9@registry.example.com:5000/app@" + D + "|tokenvalue9"})
  void parse_whenUserInfo_refusesWithoutRepeatingIt_andMasksIt(String ref, String secret) {
    var e = assertThrows(ImageReference.InvalidReference.class, () -> ImageReference.parse(ref));
    assertTrue(e.getMessage().contains("user information"), e.getMessage());
    assertFalse(e.getMessage().contains(secret), e.getMessage());
    assertFalse(e.getMessage().contains("registry.example.com") || e.getMessage().contains("127.0.0.1"),
        "nothing of the text is repeated: " + e.getMessage());
    assertEquals("token ***", SecretMasker.global().mask("token " + secret));
  }

  @Test
  void reference_apiHost_andToString() {
    ImageReference r = ImageReference.parse("node");
    assertEquals("latest", r.reference());
    assertEquals("registry-1.docker.io", r.apiHost());
    assertEquals("docker.io/library/node", r.toString());
    assertEquals(D, ImageReference.parse("ghcr.io/o/r:v1@" + D).reference());
    assertTrue(ImageReference.parse("ghcr.io/o/r@" + D).pinned());
  }

  @Test
  void loopback_onlyLocalAddresses() {
    assertTrue(ImageReference.isLoopback("127.0.0.1:5000"));
    assertTrue(ImageReference.isLoopback("127.1.2.3"));
    assertTrue(ImageReference.isLoopback("localhost:80"));
    assertTrue(ImageReference.isLoopback("[::1]:5000"));
    assertFalse(ImageReference.isLoopback("10.0.0.1:5000"));
    assertFalse(ImageReference.isLoopback("localhost.example.com"));
    assertFalse(ImageReference.isLoopback("127.0.0.1.nip.io"));
    assertFalse(ImageReference.isLoopback("localhost:1@evil.example"));
  }
}
