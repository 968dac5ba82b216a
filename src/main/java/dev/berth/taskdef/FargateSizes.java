package dev.berth.taskdef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The task sizes Fargate accepts (CPU units to memory MiB): 256: 512-2048; 512: 1024-4096; 1024: 2048-8192;
 * 2048: 4096-16384; 4096: 8192-30720 (1 GiB steps); 8192: 16384-61440 in 4096 steps; 16384: 32768-122880 in
 * 8192 steps. Also parses the unit forms ECS accepts ("1 vCPU", "0.25 vcpu", "2 GB", "512 MiB").
 */
public final class FargateSizes {
  private static final Map<Integer, List<Integer>> TABLE = new LinkedHashMap<>();

  static {
    TABLE.put(256, List.of(512, 1024, 2048));
    TABLE.put(512, range(1024, 4096, 1024));
    TABLE.put(1024, range(2048, 8192, 1024));
    TABLE.put(2048, range(4096, 16384, 1024));
    TABLE.put(4096, range(8192, 30720, 1024));
    TABLE.put(8192, range(16384, 61440, 4096));
    TABLE.put(16384, range(32768, 122880, 8192));
  }

  private FargateSizes() {}

  private static List<Integer> range(int from, int to, int step) {
    List<Integer> l = new ArrayList<>();
    for (int m = from; m <= to; m += step) {
      l.add(m);
    }
    return List.copyOf(l);
  }

  /** Every valid combination, CPU units to the memory values allowed with it. */
  public static Map<Integer, List<Integer>> table() {
    return java.util.Collections.unmodifiableMap(TABLE);
  }

  public static boolean isValidCpu(int cpu) {
    return TABLE.containsKey(cpu);
  }

  public static boolean isValid(int cpu, int memory) {
    List<Integer> m = TABLE.get(cpu);
    return m != null && m.contains(memory);
  }

  /** "512, 1024 or 2048" / "2048-8192 in 1024 steps". */
  public static String describeMemoryFor(int cpu) {
    List<Integer> m = TABLE.get(cpu);
    if (m.size() <= 3) {
      String s = m.stream().map(String::valueOf).collect(Collectors.joining(", "));
      int last = s.lastIndexOf(", ");
      return s.substring(0, last) + " or " + s.substring(last + 2);
    }
    return m.get(0) + "-" + m.get(m.size() - 1) + " in " + (m.get(1) - m.get(0)) + " steps";
  }

  /** CPUs that accept this memory, for a hint. */
  public static List<Integer> cpusFor(int memory) {
    return TABLE.entrySet().stream().filter(e -> e.getValue().contains(memory)).map(Map.Entry::getKey).toList();
  }

  /** CPU units from "1024", "1 vCPU", "0.25 vcpu"; null when it does not parse. */
  public static Integer parseCpu(String s) {
    return parseAmount(s, "vcpu", null);
  }

  /** MiB from "2048", "2 GB", "0.5gb", "512 MiB"; null when it does not parse. */
  public static Integer parseMemory(String s) {
    return parseAmount(s, "gi?b", "mi?b");
  }

  private static final java.util.regex.Pattern AMOUNT = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-z]*)");

  /**
   * A whole number of base units (CPU units, MiB) from a whole number alone or with BASE_UNIT (a regex; null: none),
   * or a number with KILO_UNIT (a regex) times 1024; null when it does not parse or is no whole number of units.
   */
  private static Integer parseAmount(String s, String kiloUnit, String baseUnit) {
    if (s == null) {
      return null;
    }
    java.util.regex.Matcher m = AMOUNT.matcher(s.trim().toLowerCase(java.util.Locale.ROOT));
    if (!m.matches()) {
      return null;
    }
    String number = m.group(1);
    String unit = m.group(2);
    try {
      if (unit.isEmpty() || baseUnit != null && unit.matches(baseUnit)) {
        return number.contains(".") ? null : Integer.valueOf(number);
      }
      if (unit.matches(kiloUnit)) {
        double units = Double.parseDouble(number) * 1024;
        return units == Math.rint(units) && units <= Integer.MAX_VALUE ? (int) units : null;
      }
    } catch (NumberFormatException e) {
      return null;
    }
    return null;
  }
}
