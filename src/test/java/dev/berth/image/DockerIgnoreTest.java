package dev.berth.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DockerIgnoreTest {
  private static DockerIgnore of(String text) {
    List<String> problems = new ArrayList<>();
    DockerIgnore d = DockerIgnore.parse(text, problems);
    assertEquals(List.of(), problems);
    return d;
  }

  @Test
  void excludes_plainNamesMatchAtTheRootOnly() {
    DockerIgnore d = of("node_modules\n*.log\n");
    assertTrue(d.excludes("node_modules"));
    assertTrue(d.excludes("node_modules/a/b.js"));
    assertTrue(d.excludes("x.log"));
    assertFalse(d.excludes("sub/x.log"));
    assertFalse(d.excludes("sub/node_modules/a"));
    assertFalse(d.excludes("app.js"));
  }

  @Test
  void excludes_doubleStarMatchesAnyDepth() {
    DockerIgnore d = of("**/*.log\n**/tmp\nbuild/**\n");
    assertTrue(d.excludes("x.log"));
    assertTrue(d.excludes("a/b/c.log"));
    assertTrue(d.excludes("a/tmp/file"));
    assertTrue(d.excludes("build/out/x"));
    assertFalse(d.excludes("src/x.txt"));
  }

  @Test
  void excludes_exceptionsReincludeAndTheLastMatchWins() {
    DockerIgnore d = of("*.md\n!README.md\ndocs\n!docs/keep.txt\nsecret*\n!secret-ok\nsecret-ok\n");
    assertTrue(d.excludes("CHANGES.md"));
    assertFalse(d.excludes("README.md"));
    assertTrue(d.excludes("docs/a.txt"));
    assertFalse(d.excludes("docs/keep.txt"));
    assertTrue(d.excludes("secret-ok"), "a later pattern excludes it again");
    assertTrue(d.mayReinclude("docs"));
    assertFalse(d.mayReinclude("other"));
  }

  @Test
  void parse_commentsLeadingSlashDotsAndBlankLines() {
    DockerIgnore d = of("# comment\n\n  /target/  \n./out\nsub/../gone\n");
    assertTrue(d.excludes("target/x.class"));
    assertTrue(d.excludes("out"));
    assertTrue(d.excludes("gone"));
    assertFalse(d.excludes("# comment"));
  }

  @Test
  void excludes_wildcardsClassesAndEscapes() {
    DockerIgnore d = of("file?.txt\n[a-c]*.bin\n[!x]y.dat\nlit\\*\n");
    assertTrue(d.excludes("file1.txt"));
    assertFalse(d.excludes("file10.txt"));
    assertTrue(d.excludes("b9.bin"));
    assertFalse(d.excludes("d9.bin"));
    assertTrue(d.excludes("ay.dat"));
    assertFalse(d.excludes("xy.dat"));
    assertTrue(d.excludes("lit*"));
    assertFalse(d.excludes("litx"));
  }

  @Test
  void parse_malformedLines_areReported() {
    List<String> problems = new ArrayList<>();
    DockerIgnore.parse("ok\n!\n[abc\n", problems);
    assertEquals(2, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith(".dockerignore:2:"));
    assertTrue(problems.get(1).startsWith(".dockerignore:3:"));
  }
}
