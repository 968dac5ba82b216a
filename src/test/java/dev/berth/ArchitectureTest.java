package dev.berth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the layout's dependency rules (README, Layout): nothing depends on cli; taskdef and report are pure (no AWS SDK, no
 * other berth package but report); only aws builds SDK clients; only image imports Jib.
 */
class ArchitectureTest {
  private static final Path MAIN = Path.of("src/main/java/dev/berth");
  /** The SDK's model metadata (field names and types of model classes), which taskdef reads: no clients, no calls. */
  private static final Pattern SDK_MODEL_METADATA = Pattern.compile(
      "software\\.amazon\\.awssdk\\.(core\\.(SdkField|SdkPojo|protocol\\.MarshallingType|traits\\.|util\\.SdkAutoConstruct)"
          + "|utils\\.builder\\.SdkBuilder)");
  private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)", Pattern.MULTILINE);

  @Test
  void packages_followTheDependencyRules() throws IOException {
    List<String> problems = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String pkg = MAIN.relativize(f).getName(0).toString();
        if (pkg.endsWith(".java")) {
          continue;
        }
        String src = Files.readString(f).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
        Matcher m = IMPORT.matcher(src);
        List<String> refs = new ArrayList<>();
        while (m.find()) {
          refs.add(m.group(1));
        }
        // fully qualified uses in code count too
        Matcher fq = Pattern.compile("\\b(dev\\.berth\\.\\w+|com\\.google\\.cloud\\.tools\\.jib|software\\.amazon\\.awssdk)[\\w.]*").matcher(src);
        while (fq.find()) {
          refs.add(fq.group());
        }
        for (String ref : refs) {
          String where = MAIN.relativize(f) + " uses " + ref;
          if (!pkg.equals("cli") && ref.startsWith("dev.berth.cli")) {
            problems.add(where + " (nothing depends on cli)");
          }
          if (!pkg.equals("image") && ref.startsWith("com.google.cloud.tools.jib")) {
            problems.add(where + " (only image imports Jib)");
          }
          if ((pkg.equals("taskdef") || pkg.equals("report"))
              && (ref.startsWith("software.amazon.awssdk") && !ref.startsWith("software.amazon.awssdk.services.ecs.model")
                  && !SDK_MODEL_METADATA.matcher(ref).lookingAt()
                  || ref.startsWith("dev.berth.") && !ref.startsWith("dev.berth.report") && !ref.startsWith("dev.berth." + pkg))) {
            problems.add(where + " (" + pkg + " is pure)");
          }
          if (!pkg.equals("aws") && ref.matches("software\\.amazon\\.awssdk\\.services\\.\\w+\\.\\w+Client(Builder)?")
              && src.matches("(?s).*\\b\\w+Client\\.builder\\(\\).*")) {
            problems.add(where + " (only aws builds SDK clients)");
          }
        }
      }
    }
    assertEquals(List.of(), problems.stream().distinct().toList());
  }
}
