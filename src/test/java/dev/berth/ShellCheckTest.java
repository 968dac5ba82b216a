package dev.berth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.berth.testbed.Servers;
import dev.berth.testbed.Servers.ProgramRun;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every shell script in the repository passes shellcheck (Debian's {@code shellcheck}, which scripts/prereqs.sh
 * installs) with no finding at any severity, under the repository's .shellcheckrc (sourced files are followed).
 * The scripts are discovered, not listed: a file named *.sh or *.bash, or whose first line is a sh/bash/dash/ksh
 * shebang, or that names its shell with a {@code # shellcheck shell=} directive, anywhere outside build output
 * and version-control folders; so a new script is checked without touching this test. The {@code run:} scripts of
 * the workflows and of every action.yml are checked too, as the bash scripts GitHub runs (each {@code ${{ }}}
 * expression, which GitHub substitutes first, stands as a plain word). Under CI=true a missing shellcheck fails the
 * test; elsewhere it is skipped with the command that installs it.
 */
class ShellCheckTest {
  static final String INSTALL = "apt-get install shellcheck";
  static final Path ROOT = Path.of("").toAbsolutePath();
  /** Folders that hold no scripts of ours: version control, build output, editors' settings, npm installs. */
  private static final Set<String> SKIPPED_DIRS = Set.of(".git", "target", "node_modules", ".idea", ".vscode");
  private static final Pattern SHEBANG =
      Pattern.compile("^#!\\s*(?:\\S*/)?(?:env\\s+(?:-\\S+\\s+)*)?(?:\\S*/)?(?:sh|bash|dash|ksh)(?:\\s.*)?$");
  private static final Pattern SHELL_DIRECTIVE = Pattern.compile("^#\\s*shellcheck\\s+shell=(?:sh|bash|dash|ksh)\\b");

  private static final Pattern RUN_KEY = Pattern.compile("^(\\s*)(- )?run:\\s*(.*)$");
  private static final Pattern SHELL_KEY = Pattern.compile("^\\s*(?:- )?shell:\\s*(.*)$");

  @TempDir Path tmp;

  /** A step's {@code run:} script: the file and line of its {@code run:} key, and the script as GitHub runs it. */
  record RunBlock(Path file, int line, String script) {}

  /** The workflows and the action metadata files below ROOT, relative to it, sorted. */
  static List<Path> workflowsAndActions(Path root) throws IOException {
    return repositoryFiles(root, rel -> {
      String name = rel.getFileName().toString();
      boolean workflow = Path.of(".github/workflows").equals(rel.getParent())
          && (name.endsWith(".yml") || name.endsWith(".yaml"));
      return workflow || name.equals("action.yml") || name.equals("action.yaml");
    });
  }

  /**
   * The {@code run:} scripts of one workflow or action file: a plain one-line value, or a literal block ({@code |})
   * of the lines indented deeper than the key. Fails on what this reader does not take (a folded or quoted value,
   * a shell other than bash), so nothing goes unchecked quietly.
   */
  static List<RunBlock> runBlocks(Path root, Path file) throws IOException {
    List<String> lines = Files.readAllLines(root.resolve(file));
    List<RunBlock> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      java.util.regex.Matcher shell = SHELL_KEY.matcher(lines.get(i));
      if (shell.matches() && !shell.group(1).trim().equals("bash")) {
        fail(file + ":" + (i + 1) + ": a step with shell " + shell.group(1) + ": teach ShellCheckTest that shell");
      }
      java.util.regex.Matcher m = RUN_KEY.matcher(lines.get(i));
      if (!m.matches()) {
        continue;
      }
      int keyIndent = m.group(1).length() + (m.group(2) == null ? 0 : 2);
      String value = m.group(3).trim();
      int line = i + 1;
      String script;
      if (value.equals("|") || value.equals("|-") || value.equals("|+")) {
        List<String> body = new ArrayList<>();
        while (i + 1 < lines.size() && (lines.get(i + 1).isBlank()
            || lines.get(i + 1).length() - lines.get(i + 1).stripLeading().length() > keyIndent)) {
          body.add(lines.get(++i));
        }
        int indent = body.stream().filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        script = String.join("\n", body.stream().map(l -> l.length() < indent ? "" : l.substring(indent)).toList());
      } else if (value.isEmpty() || value.startsWith(">") || value.startsWith("'") || value.startsWith("\"")) {
        fail(file + ":" + line + ": a run: value this reader does not take (" + value + "): use | or a plain line");
        return blocks;
      } else {
        script = value;
      }
      blocks.add(new RunBlock(file, line, script.replaceAll("\\$\\{\\{.*?}}", "GITHUB_EXPRESSION")));
    }
    return blocks;
  }

  /** The files below ROOT (outside SKIPPED_DIRS and target-*) that WANTED takes, relative to ROOT, sorted. */
  static List<Path> repositoryFiles(Path root, Predicate<Path> wanted) throws IOException {
    List<Path> files = new ArrayList<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
        boolean skipped = !dir.equals(root) && (SKIPPED_DIRS.contains(name) || name.startsWith("target-"));
        return skipped ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (attrs.isRegularFile() && wanted.test(root.relativize(file))) {
          files.add(root.relativize(file));
        }
        return FileVisitResult.CONTINUE;
      }
    });
    files.sort(null);
    return files;
  }

  /** The shell scripts below ROOT, as paths relative to it, sorted. */
  static List<Path> shellScripts(Path root) throws IOException {
    return repositoryFiles(root, rel -> {
      try {
        return isShellScript(root.resolve(rel));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
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
  void everyRunScriptOfTheWorkflowsAndActions_whenCheckedByShellCheck_hasNoFinding() throws Exception {
    List<Path> files = workflowsAndActions(ROOT);
    for (String known : List.of("action.yml", "ecr-push/action.yml", ".github/workflows/ci.yml")) {
      assertTrue(files.contains(Path.of(known)), known + " is found among " + files);
    }
    List<RunBlock> blocks = new ArrayList<>();
    for (Path f : files) {
      blocks.addAll(runBlocks(ROOT, f));
    }
    assertTrue(blocks.stream().anyMatch(b -> b.file().equals(Path.of("action.yml"))
        && b.script().contains(".github/action/entrypoint.sh")), blocks.toString());
    List<String> names = new ArrayList<>();
    for (RunBlock b : blocks) {
      String name = b.file().toString().replace('/', '_') + "-line" + b.line() + ".sh";
      Files.writeString(tmp.resolve(name), "#!/usr/bin/env bash\n" + b.script() + "\n");
      names.add(name);
    }
    ProgramRun r = shellcheck(tmp, names);
    assertEquals("", r.output(), "shellcheck findings in run: scripts (FILE-lineN.sh: the run: key at line N of FILE;"
        + " the script's line 1 is a #! line added here)");
    assertEquals(0, r.code(), r.output());
  }

  @Test
  void runBlocks_whenAWorkflowHasBlockAndPlainRunValues_readsEachScriptAsGitHubRunsIt() throws Exception {
    Files.createDirectories(tmp.resolve(".github/workflows"));
    Files.writeString(tmp.resolve(".github/workflows/w.yml"), """
        on: push
        jobs:
          a:
            runs-on: ubuntu-24.04
            steps:
              - uses: ./ecs-scale
                with:
                  dry-run: true
              - run: echo "${{ github.sha }}"
              - run: |
                  if true; then
                    echo one
                  fi

                  echo two
                env:
                  X: 1
        """);
    Files.writeString(tmp.resolve("action.yml"), "runs:\n  using: composite\n  steps:\n    - shell: bash\n"
        + "      run: echo hi\n");
    assertEquals(List.of(Path.of(".github/workflows/w.yml"), Path.of("action.yml")), workflowsAndActions(tmp));
    assertEquals(List.of(new RunBlock(Path.of(".github/workflows/w.yml"), 9, "echo \"GITHUB_EXPRESSION\""),
            new RunBlock(Path.of(".github/workflows/w.yml"), 10, "if true; then\n  echo one\nfi\n\necho two")),
        runBlocks(tmp, Path.of(".github/workflows/w.yml")));
    assertEquals(List.of(new RunBlock(Path.of("action.yml"), 5, "echo hi")), runBlocks(tmp, Path.of("action.yml")));
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
