package dev.berth.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.report.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DockerfileParserTest {
  private static DockerfileParser.Result parse(String text) {
    return parse(text, Map.of());
  }

  private static DockerfileParser.Result parse(String text, Map<String, String> args) {
    return DockerfileParser.parse(text, "Dockerfile", args, ref -> Map.of());
  }

  private static BuildPlan ok(String text) {
    DockerfileParser.Result r = parse(text);
    assertTrue(r.ok(), () -> "expected no problems, got " + r.violations());
    return r.plan();
  }

  private static List<String> errors(DockerfileParser.Result r) {
    List<String> out = new ArrayList<>();
    for (Violation v : r.violations()) {
      if (!v.warning()) {
        out.add(v.toString());
      }
    }
    return out;
  }

  @Test
  void parse_whenFullSubset_evaluatesEveryInstruction() {
    BuildPlan p = ok("""
        # syntax=docker/dockerfile:1
        ARG BASE=127.0.0.1:5000/base:1
        FROM $BASE AS app
        ARG VERSION=1.0
        ENV APP_HOME=/srv/app \\
            GREETING="hello world"
        ENV LEGACY some value
        LABEL org.opencontainers.image.version=$VERSION "maintainer"="me"
        WORKDIR $APP_HOME
        COPY --chown=1000:1000 --chmod=640 deps/ deps/
        ADD app.js .
        EXPOSE 80 8080/udp
        USER 1000:1000
        VOLUME ["/data"]
        ENTRYPOINT ["node", "app.js"]
        CMD --port 80
        """);
    assertEquals("127.0.0.1:5000/base:1", p.base());
    assertEquals(Map.of("APP_HOME", "/srv/app", "GREETING", "hello world", "LEGACY", "some value"), p.env());
    assertEquals(Map.of("org.opencontainers.image.version", "1.0", "maintainer", "me"), p.labels());
    assertEquals("/srv/app", p.workdir());
    assertEquals(2, p.copies().size());
    BuildPlan.Copy deps = p.copies().get(0);
    assertEquals(new BuildPlan.Copy(10, "COPY", List.of("deps"), "/srv/app/deps", true, "1000:1000", "640"), deps);
    BuildPlan.Copy app = p.copies().get(1);
    assertEquals(new BuildPlan.Copy(11, "ADD", List.of("app.js"), "/srv/app", true, null, null), app);
    assertEquals(Set.of("80/tcp", "8080/udp"), p.exposedPorts());
    assertEquals("1000:1000", p.user());
    assertEquals(Set.of("/data"), p.volumes());
    assertEquals(List.of("node", "app.js"), p.entrypoint());
    assertEquals(List.of("/bin/sh", "-c", "--port 80"), p.cmd());
  }

  @Test
  void parse_whenScratch_baseIsNull() {
    BuildPlan p = ok("FROM scratch\nCOPY a /a\n");
    assertNull(p.base());
    assertEquals("/a", p.copies().get(0).destination());
    assertFalse(p.copies().get(0).destinationIsFolder());
  }

  @Test
  void parse_whenBuildArgGiven_overridesDefaultsBeforeAndAfterFrom() {
    DockerfileParser.Result r = parse("""
        ARG TAG=1
        FROM repo/base:${TAG}
        ARG TAG
        ARG MODE=dev
        ENV T=$TAG M=$MODE
        """, Map.of("TAG", "2", "MODE", "prod"));
    assertTrue(r.ok(), r.violations().toString());
    assertEquals("repo/base:2", r.plan().base());
    assertEquals(Map.of("T", "2", "M", "prod"), r.plan().env());
  }

  @Test
  void parse_whenGlobalArgNotRedeclared_isNotVisibleAfterFrom() {
    BuildPlan p = ok("ARG V=1\nFROM scratch\nENV A=x${V}y\n");
    assertEquals("xy", p.env().get("A"));
  }

  @Test
  void parse_whenUnusedBuildArg_warnsOnly() {
    DockerfileParser.Result r = parse("FROM scratch\n", Map.of("NOPE", "1"));
    assertTrue(r.ok());
    assertEquals(1, r.violations().size());
    assertTrue(r.violations().get(0).warning());
    assertEquals("--build-arg NOPE", r.violations().get(0).where());
  }

  @Test
  void substitution_supportsDefaultsAlternativesBracesAndEscapes() {
    BuildPlan p = ok("""
        FROM scratch
        ENV SET=v EMPTY=
        ENV A=${UNSET:-dflt} B=${SET:-dflt} C=${EMPTY:-e} D=${EMPTY-e} E=${SET:+alt} F=${UNSET:+alt} \\
            G=\\$SET H='$SET' I="$SET-${SET}" J=$SET/x K=${UNSET:-$SET}
        """);
    assertEquals("dflt", p.env().get("A"));
    assertEquals("v", p.env().get("B"));
    assertEquals("e", p.env().get("C"));
    assertEquals("", p.env().get("D"));
    assertEquals("alt", p.env().get("E"));
    assertEquals("", p.env().get("F"));
    assertEquals("$SET", p.env().get("G"));
    assertEquals("$SET", p.env().get("H"));
    assertEquals("v-v", p.env().get("I"));
    assertEquals("v/x", p.env().get("J"));
    assertEquals("v", p.env().get("K"));
  }

  @Test
  void substitution_inOneEnv_seesValuesFromBeforeIt() {
    BuildPlan p = ok("FROM scratch\nENV A=1\nENV A=2 B=$A\n");
    assertEquals("1", p.env().get("B"));
    assertEquals("2", p.env().get("A"));
  }

  @Test
  void substitution_whenRequiredVariableUnset_reportsIt() {
    DockerfileParser.Result r = parse("FROM scratch\nENV A=\"${NEED:?set NEED}\"\n");
    assertEquals(List.of("Dockerfile:2: ENV: NEED: set NEED"), errors(r));
  }

  @Test
  void substitution_whenBadModifier_reportsIt() {
    DockerfileParser.Result r = parse("FROM scratch\nENV A=${X%%y}\n");
    assertEquals(1, errors(r).size());
    assertTrue(errors(r).get(0).startsWith("Dockerfile:2: ENV: unsupported modifier"), errors(r).toString());
  }

  @Test
  void substitution_whenUnknownVariable_asksTheBaseImageOnce() {
    AtomicInteger asked = new AtomicInteger();
    DockerfileParser.Result r = DockerfileParser.parse(
        "FROM 127.0.0.1:5000/node:20\nENV PATH=/app/bin:$PATH A=$HOME\nENV B=$PATH\n", "Dockerfile", Map.of(),
        ref -> {
          asked.incrementAndGet();
          assertEquals("127.0.0.1:5000/node:20", ref);
          return Map.of("PATH", "/usr/bin", "HOME", "/root");
        });
    assertTrue(r.ok());
    assertEquals("/app/bin:/usr/bin", r.plan().env().get("PATH"));
    assertEquals("/root", r.plan().env().get("A"));
    assertEquals("/app/bin:/usr/bin", r.plan().env().get("B"));
    assertEquals(1, asked.get());
  }

  @Test
  void substitution_whenEverythingDefinedOrScratch_neverAsksTheBaseImage() {
    DockerfileParser.parse("FROM scratch\nENV A=$UNSET\n", "Dockerfile", Map.of(), ref -> {
      throw new AssertionError("asked");
    });
    DockerfileParser.parse("FROM base\nARG X=1\nENV A=$X\n", "Dockerfile", Map.of(), ref -> {
      throw new AssertionError("asked");
    });
  }

  @Test
  void lines_continuationsCommentsAndBlankLinesInsideThem() {
    BuildPlan p = ok("""
        FROM scratch

        # a comment
        COPY a \\
        # a comment inside
             b \\

             /dst/
          cmd ["x"]
        """);
    assertEquals(List.of("a", "b"), p.copies().get(0).sources());
    assertEquals(4, p.copies().get(0).line());
    assertEquals(List.of("x"), p.cmd());
  }

  @Test
  void lines_escapeDirectiveBacktick() {
    BuildPlan p = ok("# escape=`\nFROM scratch\nENV A=c:\\dir `\n    B=2\nWORKDIR c:\\\\x\n");
    assertEquals("c:\\dir", p.env().get("A"));
    assertEquals("2", p.env().get("B"));
  }

  @Test
  void lines_keywordsAreCaseInsensitive() {
    BuildPlan p = ok("from scratch\ncopy a /a\nenv A=1\n");
    assertEquals(1, p.copies().size());
  }

  @Test
  void cmdAndEntrypoint_execAndShellForms() {
    BuildPlan p = ok("FROM scratch\nENTRYPOINT /bin/app --flag \"x y\"\nCMD [\"a\", \"b c\"]\n");
    assertEquals(List.of("/bin/sh", "-c", "/bin/app --flag \"x y\""), p.entrypoint());
    assertEquals(List.of("a", "b c"), p.cmd());
    BuildPlan q = ok("FROM scratch\nCMD [not json\n");
    assertEquals(List.of("/bin/sh", "-c", "[not json"), q.cmd());
  }

  @Test
  void cmdAndEntrypoint_areNotSubstituted() {
    BuildPlan p = ok("FROM scratch\nENV A=1\nCMD echo $A\n");
    assertEquals(List.of("/bin/sh", "-c", "echo $A"), p.cmd());
  }

  @Test
  void copy_destinations_relativeToWorkdirAndFolders() {
    BuildPlan p = ok("""
        FROM scratch
        COPY a rel
        WORKDIR /w
        WORKDIR sub
        COPY a b c/
        COPY ["x y", "./"]
        COPY a /abs/./d/../e
        """);
    assertEquals("/rel", p.copies().get(0).destination());
    assertEquals("/w/sub/c", p.copies().get(1).destination());
    assertTrue(p.copies().get(1).destinationIsFolder());
    assertEquals(List.of("x y"), p.copies().get(2).sources());
    assertEquals("/w/sub", p.copies().get(2).destination());
    assertTrue(p.copies().get(2).destinationIsFolder());
    assertEquals("/abs/e", p.copies().get(3).destination());
    assertEquals("/w/sub", p.workdir());
  }

  @Test
  void copy_chown_numericAndRootAccepted_namesRefused() {
    BuildPlan p = ok("FROM scratch\nCOPY --chown=10 a /a\nCOPY --chown=root:5 a /b\n");
    assertEquals("10:10", p.copies().get(0).chown());
    assertEquals("0:5", p.copies().get(1).chown());
    List<String> e = errors(parse("FROM scratch\nCOPY --chown=node:node a /a\n"));
    assertEquals(1, e.size());
    assertTrue(e.get(0).startsWith("Dockerfile:2: --chown=node:node: 'node' is a name"), e.toString());
  }

  @Test
  void copy_badUses_areReported() {
    DockerfileParser.Result r = parse("""
        FROM scratch
        COPY a b /notafolder
        COPY onlyone
        COPY ../outside /x
        COPY --chmod=99 a /a
        COPY --bogus a /a
        COPY https://example.com/x /x
        """);
    List<String> e = errors(r);
    assertEquals(6, e.size(), e.toString());
    assertTrue(e.get(0).startsWith("Dockerfile:2: COPY with more than one source"), e.get(0));
    assertTrue(e.get(1).startsWith("Dockerfile:3: COPY needs at least one source"), e.get(1));
    assertTrue(e.get(2).startsWith("Dockerfile:4: COPY source ../outside is outside"), e.get(2));
    assertTrue(e.get(3).startsWith("Dockerfile:5: COPY --chmod must be an octal"), e.get(3));
    assertTrue(e.get(4).startsWith("Dockerfile:6: COPY: unsupported flag --bogus"), e.get(4));
    assertTrue(e.get(5).startsWith("Dockerfile:7: COPY source cannot be a URL"), e.get(5));
  }

  @ParameterizedTest
  @ValueSource(strings = {"RUN npm ci", "HEALTHCHECK CMD curl -f http://localhost/", "SHELL [\"/bin/bash\", \"-c\"]",
      "ONBUILD COPY . /app", "STOPSIGNAL SIGTERM", "MAINTAINER me"})
  void refused_instructions_nameTheLineAndTheAlternatives(String instruction) {
    DockerfileParser.Result r = parse("FROM scratch\nCOPY a /a\n" + instruction + "\nCOPY b /b\n");
    List<String> e = errors(r);
    assertEquals(1, e.size(), e.toString());
    assertTrue(e.get(0).startsWith("Dockerfile:3: "), e.get(0));
    assertTrue(e.get(0).contains("--tar, --docker-daemon or --image"), e.get(0));
    assertEquals(r.violations().get(0).where(), "Dockerfile:3");
  }

  @Test
  void refused_multiStageAndCopyFrom() {
    List<String> e = errors(parse("""
        FROM golang:1.22 AS build
        COPY --from=build /out /app
        FROM scratch
        """));
    assertEquals(2, e.size(), e.toString());
    assertTrue(e.get(0).startsWith("Dockerfile:2: COPY --from (multi-stage"), e.get(0));
    assertTrue(e.get(1).startsWith("Dockerfile:3: a second FROM (multi-stage build)"), e.get(1));
  }

  @Test
  void refused_addUrlAndGitAndChecksum() {
    List<String> e = errors(parse("""
        FROM scratch
        ADD https://example.com/app.tgz /app/
        ADD git@github.com:me/repo.git /src
        ADD --checksum=sha256:abc https://example.com/x /x
        ADD --keep-git-dir=true https://github.com/me/repo.git /src
        """));
    assertEquals(4, e.size(), e.toString());
    assertTrue(e.get(0).startsWith("Dockerfile:2: ADD of a URL (https://example.com/app.tgz)"), e.get(0));
    assertTrue(e.get(1).startsWith("Dockerfile:3: ADD of a URL"), e.get(1));
    assertTrue(e.get(2).startsWith("Dockerfile:4: ADD of a URL or git repository (--checksum)"), e.get(2));
    assertTrue(e.get(3).startsWith("Dockerfile:5: ADD of a URL or git repository (--keep-git-dir)"), e.get(3));
  }

  @Test
  void refused_heredocs_skipTheirBody() {
    List<String> e = errors(parse("""
        FROM scratch
        RUN <<EOF
        apt-get update
        FROM nothing here
        EOF
        COPY <<-END /etc/x
        	text
        	END
        ENV A=1
        """));
    assertEquals(2, e.size(), e.toString());
    assertTrue(e.get(0).startsWith("Dockerfile:2: RUN with a heredoc"), e.get(0));
    assertTrue(e.get(1).startsWith("Dockerfile:6: COPY with a heredoc"), e.get(1));
  }

  @Test
  void problems_areAllReportedAtOnce() {
    DockerfileParser.Result r = parse("""
        ENV A=1
        FROM scratch
        RUN make
        EXPOSE 99999 80/sctp http
        VOLUME relative
        FROBNICATE
        USER
        """);
    List<String> e = errors(r);
    assertEquals(List.of(
        "Dockerfile:1: ENV before FROM: only ARG may come before FROM",
        "Dockerfile:3: RUN needs a container runtime, which berth does not use; " + DockerfileParser.ALTERNATIVES,
        "Dockerfile:4: EXPOSE 99999: not a port (1-65535) or a range of at most 1000 ports",
        "Dockerfile:4: EXPOSE 80/sctp: protocol must be tcp or udp",
        "Dockerfile:4: EXPOSE http: not a port number",
        "Dockerfile:5: VOLUME path must be absolute: relative",
        "Dockerfile:6: unknown instruction FROBNICATE",
        "Dockerfile:7: USER needs one user[:group]"), e);
  }

  @Test
  void from_missingInvalidOrWithPlatform() {
    assertEquals(List.of("Dockerfile: no FROM instruction"), errors(parse("ARG A=1\n")));
    assertEquals(List.of("Dockerfile:1: FROM: 'UPPER/Case:x' is not an image reference: repository name 'Case' must be"
        + " lowercase"),
        errors(parse("FROM UPPER/Case:x\n")));
    assertEquals(List.of("Dockerfile:2: FROM names no image (is a build argument empty?)"),
        errors(parse("ARG B\nFROM $B\n")).subList(0, 1));
    BuildPlan p = ok("FROM --platform=linux/arm64 scratch\n");
    assertEquals("linux/arm64", p.platform());
  }

  @Test
  void expose_range() {
    BuildPlan p = ok("FROM scratch\nEXPOSE 8000-8002/tcp\n");
    assertEquals(Set.of("8000/tcp", "8001/tcp", "8002/tcp"), p.exposedPorts());
  }
}
