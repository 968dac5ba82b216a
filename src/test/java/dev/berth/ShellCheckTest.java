package dev.berth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.testbed.Servers;
import dev.berth.testbed.Servers.ProgramRun;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every shell script in the repository passes shellcheck (Debian's {@code shellcheck}, which scripts/prereqs.sh
 * installs) with no finding at any severity, under the repository's .shellcheckrc (sourced files are followed).
 * The scripts are discovered, not listed: a file named *.sh or *.bash, or whose first line is a sh/bash/dash/ksh
 * shebang, or that names its shell with a {@code # shellcheck shell=} directive, anywhere outside build output
 * and version-control folders; so a new script is checked without touching this test. Under CI=true a missing
 * shellcheck fails the test; elsewhere it is skipped with the command that installs it.
 */
class ShellCheckTest {
  static final String INSTALL = "apt-get install shellcheck";
  static final Path ROOT = Path.of("").toAbsolutePath();
  /** Folders that hold no scripts of ours: version control, build output, editors' settings, npm installs. */
  private static final Set<String> SKIPPED_DIRS = Set.of(".git", "target", "node_modules", ".idea", ".vscode");
  private static final Pattern SHEBANG =
      Pattern.compile("^#!\\s*(?:\\S*/)?(?:env\\s+(?:-\\S+\\s+)*)?(?:\\S*/)?(?:sh|bash|dash|ksh)(?:\\s.*)?$");
  private static final Pattern SHELL_DIRECTIVE = Pattern.compile("^#\\s*shellcheck\\s+shell=(?:sh|bash|dash|ksh)\\b");

  @TempDir Path tmp;

  /** The shell scripts below ROOT, as paths relative to it, sorted. */
  static List<Path> shellScripts(Path root) throws IOException {
    List<Path> scripts = new ArrayList<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
        boolean skipped = !dir.equals(root) && (SKIPPED_DIRS.contains(name) || name.startsWith("target-"));
        return skipped ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (attrs.isRegularFile() && isShellScript(file)) {
          scripts.add(root.relativize(file));
        }
        return FileVisitResult.CONTINUE;
      }
    });
    scripts.sort(null);
    return scripts;
  }

  static boolean isShellScript(Path file) throws IOException {
    String name = file.getFileName().toString();
    if (name.endsWith(".sh") || name.endsWith(".bash")) {
      return true;
    }
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
      String first = in.readLine();
      return first != null && (SHEBANG.matcher(first).matches() || SHELL_DIRECTIVE.matcher(first).find());
    }
  }

  static ProgramRun shellcheck(Path dir, List<String> files) throws Exception {
    Servers.requireProgram("shellcheck", INSTALL);
    List<String> command = new ArrayList<>(List.of(Servers.which("shellcheck").toString(), "--format=gcc"));
    command.addAll(files);
    return Servers.runProgram(dir, command);
  }

  @Test
  void everyShellScript_whenCheckedByShellCheck_hasNoFinding() throws Exception {
    List<Path> scripts = shellScripts(ROOT);
    for (String known : List.of(".ci/run", "resources/dev/berth/berth.sh", ".github/action/entrypoint.sh",
        ".github/action/source.sh", "scripts/prereqs.sh", "scripts/lib/bench-common.sh")) {
      assertTrue(scripts.contains(Path.of(known)), known + " is found among " + scripts);
    }
    ProgramRun r = shellcheck(ROOT, scripts.stream().map(Path::toString).toList());
    assertEquals("", r.output(), "shellcheck findings in " + scripts);
    assertEquals(0, r.code(), r.output());
  }

  @Test
  void shellScripts_whenATreeHoldsScriptsAndOtherFiles_findsScriptsByNameShebangOrDirective() throws Exception {
    Files.createDirectories(tmp.resolve("bin"));
    Files.createDirectories(tmp.resolve("target"));
    Files.createDirectories(tmp.resolve("lib"));
    Files.writeString(tmp.resolve("bin/tool"), "#!/usr/bin/env bash\necho hi\n");
    Files.writeString(tmp.resolve("bin/posix"), "#! /bin/sh -e\necho hi\n");
    Files.writeString(tmp.resolve("lib/common"), "# shellcheck shell=bash\nf() { :; }\n");
    Files.writeString(tmp.resolve("lib/part.sh"), "f() { :; }\n");
    Files.writeString(tmp.resolve("bin/tool.py"), "#!/usr/bin/env python3\nprint(1)\n");
    Files.writeString(tmp.resolve("bin/shell.txt"), "echo not a script\n");
    Files.writeString(tmp.resolve("target/built.sh"), "#!/bin/sh\n");
    assertEquals(List.of(Path.of("bin/posix"), Path.of("bin/tool"), Path.of("lib/common"), Path.of("lib/part.sh")),
        shellScripts(tmp));
  }

  @Test
  void shellcheck_whenAScriptHasAFinding_fails() throws Exception {
    Files.writeString(tmp.resolve("broken.sh"), "#!/bin/sh\ncd $1\nrm -rf build\n");
    ProgramRun r = shellcheck(tmp, List.of("--norc", "broken.sh"));
    assertNotEquals(0, r.code(), r.output());
    assertTrue(r.output().contains("SC2164") && r.output().contains("SC2086"), r.output());
  }
}
