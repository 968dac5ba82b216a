package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar's start-up parts. pom.xml compiles picocli from its published sources jar for Java 17 and leaves the released jar's classes
 * (class-file version 49, which no class-data archive or ahead-of-time cache can hold) out of the shaded jar.
 * Checks the jar that the launcher, the Jenkins library and the Action run.
 */
class PicocliFromSourcesIT {
  @Test
  void version_fromTheJarsManifest_isTheSameLineAsMainPrints() throws IOException {
    String line = "berth " + Main.version() + "\n";
    assertTrue(!Main.version().equals("unknown"), "version.properties has no version");
    for (String flag : new String[] {"--version", "-V"}) {
      dev.berth.testbed.Berth.Run run = dev.berth.testbed.Berth.subprocess(java.util.Map.of(), flag);
      assertEquals(0, run.exitCode(), run.stderr());
      assertEquals(line, run.stdout());
    }
    try (java.util.jar.JarFile z = new java.util.jar.JarFile(jar().toFile())) {
      java.util.jar.Attributes main = z.getManifest().getMainAttributes();
      assertEquals("dev.berth.cli.Entry", main.getValue("Main-Class"));
      assertEquals(Main.version(), main.getValue("Implementation-Version"));
    }
  }

  private static Path jar() {
    String p = System.getProperty("berth.jar");
    return p != null ? Path.of(p) : Path.of("target", "berth.jar");
  }

  @Test
  void picocliClasses_inTheJar_areClassFileVersion61OrLater() throws IOException {
    assertTrue(Files.isRegularFile(jar()), "no " + jar() + ": run mvn package first");
    List<String> old = new ArrayList<>();
    int count = 0;
    try (ZipFile z = new ZipFile(jar().toFile())) {
      for (ZipEntry e : z.stream().toList()) {
        if (!e.getName().startsWith("picocli/") || !e.getName().endsWith(".class")) continue;
        count++;
        try (InputStream in = z.getInputStream(e)) {
          byte[] head = in.readNBytes(8);
          int major = ((head[6] & 0xff) << 8) | (head[7] & 0xff);
          if (major < 61) old.add(e.getName() + " " + major);
        }
      }
    }
    assertTrue(count > 100, "picocli's classes missing from the jar: " + count);
    assertEquals(List.of(), old);
  }

  @Test
  void picocliLicenceNotice_isInTheJar() throws IOException {
    try (ZipFile z = new ZipFile(jar().toFile())) {
      ZipEntry e = z.getEntry("META-INF/LICENSE-picocli.txt");
      assertTrue(e != null, "META-INF/LICENSE-picocli.txt missing");
      String text = new String(z.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(text.contains("picocli " + picocli.CommandLine.VERSION), text);
      assertTrue(text.contains("Licensed under the Apache License, Version 2.0"), text);
      assertTrue(z.getEntry("META-INF/LICENSE.txt") != null, "the Apache License's text is missing");
    }
  }
}
