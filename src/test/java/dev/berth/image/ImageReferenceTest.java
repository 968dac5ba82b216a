package dev.berth.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ImageReferenceTest {
  @Test
  void parse_dockerHubShortName_isLibraryOnDockerIo() {
    ImageReference r = ImageReference.parse("node");
    assertEquals("docker.io", r.registry());
    assertEquals("library/node", r.repository());
    assertNull(r.tag());
    assertEquals("latest", r.reference());
    assertEquals("registry-1.docker.io", r.apiHost());
  }

  @Test
  void parse_registryWithPortTagAndDigest() {
    String digest = "sha256:" + "ab".repeat(32);
    ImageReference r = ImageReference.parse("127.0.0.1:5000/team/app:1.2@" + digest);
    assertEquals("127.0.0.1:5000", r.registry());
    assertEquals("team/app", r.repository());
    assertEquals("1.2", r.tag());
    assertEquals(digest, r.reference());
  }

  @Test
  void parse_ecrAndLocalhost() {
    assertEquals("123456789012.dkr.ecr.us-east-2.amazonaws.com",
        ImageReference.parse("123456789012.dkr.ecr.us-east-2.amazonaws.com/a/b:c").registry());
    assertEquals("localhost", ImageReference.parse("localhost/app").registry());
    assertEquals("docker.io", ImageReference.parse("user/app:v1").registry());
  }

  @Test
  void parse_malformed_throwsWithReason() {
    assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("UPPER/case"));
    assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("app:bad tag"));
    assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("app@sha256:123"));
    assertThrows(IllegalArgumentException.class, () -> ImageReference.parse(""));
    assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("reg.io/"));
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
  }
}
