package dev.berth.taskdef;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageReferenceTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "node|-|node|-|-",
      "node:20-alpine|-|node|20-alpine|-",
      "library/node:20|-|library/node|20|-",
      "123456789012.dkr.ecr.us-east-2.amazonaws.com/opensourceapirepo:my-node-container|123456789012.dkr.ecr.us-east-2.amazonaws.com|opensourceapirepo|my-node-container|-",
      "localhost:5000/a/b@sha256:0c1e5fbd0e8b3c4b1d3fe4b1a0f2d6b5c9e8a7d6c5b4a3928170f6e5d4c3b2a1|localhost:5000|a/b|-|sha256:0c1e5fbd0e8b3c4b1d3fe4b1a0f2d6b5c9e8a7d6c5b4a3928170f6e5d4c3b2a1",
      "ghcr.io/o/r:v1@sha256:0c1e5fbd0e8b3c4b1d3fe4b1a0f2d6b5c9e8a7d6c5b4a3928170f6e5d4c3b2a1|ghcr.io|o/r|v1|sha256:0c1e5fbd0e8b3c4b1d3fe4b1a0f2d6b5c9e8a7d6c5b4a3928170f6e5d4c3b2a1",
      "a__b-c/e---f.g|-|a__b-c/e---f.g|-|-"})
  void parse_whenValid_splitsTheParts(String ref, String registry, String repo, String tag, String digest) {
    ImageReference r = ImageReference.parse(ref);
    assertEquals(new ImageReference(registry, repo, tag, digest), r);
    assertEquals(ref, r.toString());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Node|repository name 'Node' must be lowercase",
      "node:|'' is not a tag",
      "node@sha256:abcd|'sha256:abcd' is not a digest",
      "node@sha256:0c1e5fbd0e8b3c4b1d3fe4b1a0f2d6b5c9e8a7d6c5b4a3928170f6e5d4c3b2a1ff|a sha256 digest has 64 hex digits",
      "node_|'node_' is not a repository name",
      "my node|the image reference contains white space"})
  void parse_whenInvalid_saysWhy(String ref, String start) {
    var e = assertThrows(ImageReference.InvalidReference.class, () -> ImageReference.parse(ref));
    assertEquals(true, e.getMessage().startsWith(start), e.getMessage());
  }
}
