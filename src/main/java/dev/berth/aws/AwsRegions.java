package dev.berth.aws;

import dev.berth.report.InvalidInputException;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import software.amazon.awssdk.regions.Region;

/**
 * Checks a region name before any call: the SDK signs for any string, so a typo such as {@code us-est-2}
 * would only surface as an unreachable endpoint (exit 4). A name the SDK knows passes, and so does one shaped
 * like an AWS region (a region newer than this SDK: {@code xx[-gov|-iso..]-DIRECTION-N}); anything else is
 * exit 3 with the closest known names.
 */
final class AwsRegions {
  private static final Pattern SHAPE = Pattern.compile(
      "[a-z]{2}(-gov|-iso[a-z]?)?-(east|west|north|south|central|northeast|northwest|southeast|southwest)-\\d{1,2}");

  private AwsRegions() {}

  static Region check(String name, String flag) {
    String n = name.trim();
    if (Region.regions().stream().anyMatch(r -> r.id().equals(n)) || SHAPE.matcher(n).matches()) {
      return Region.of(n);
    }
    List<String> closest = Region.regions().stream().map(Region::id).filter(id -> !id.contains("global"))
        .sorted(Comparator.comparingInt((String id) -> distance(id, n)).thenComparing(id -> id)).limit(3).toList();
    throw new InvalidInputException(flag, "'" + n + "' is not an AWS region; closest: " + String.join(", ", closest));
  }

  /** Levenshtein distance (region names are short: a plain table is enough). */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
