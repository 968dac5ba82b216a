package dev.berth.taskdef;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.report.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The whole Fargate CPU/memory table, as the issue states it, both ways. */
class FargateSizesTest {
  /** The table written out from the issue text, independently of FargateSizes. */
  static List<int[]> expected() {
    List<int[]> l = new ArrayList<>();
    for (int m : new int[] {512, 1024, 2048}) {
      l.add(new int[] {256, m});
    }
    IntStream.rangeClosed(1, 4).forEach(g -> l.add(new int[] {512, g * 1024}));
    IntStream.rangeClosed(2, 8).forEach(g -> l.add(new int[] {1024, g * 1024}));
    IntStream.rangeClosed(4, 16).forEach(g -> l.add(new int[] {2048, g * 1024}));
    IntStream.rangeClosed(8, 30).forEach(g -> l.add(new int[] {4096, g * 1024}));
    for (int m = 16384; m <= 61440; m += 4096) {
      l.add(new int[] {8192, m});
    }
    for (int m = 32768; m <= 122880; m += 8192) {
      l.add(new int[] {16384, m});
    }
    return l;
  }

  static Stream<Arguments> validSizes() {
    return expected().stream().map(p -> Arguments.of(p[0], p[1]));
  }

  /** Every CPU with every memory from 512 to 122880 in 512 steps that the table does not list. */
  static Stream<Arguments> invalidSizes() {
    List<Arguments> l = new ArrayList<>();
    for (int cpu : new int[] {256, 512, 1024, 2048, 4096, 8192, 16384}) {
      for (int m = 512; m <= 122880 + 8192; m += 512) {
        int mem = m;
        if (expected().stream().noneMatch(p -> p[0] == cpu && p[1] == mem)) {
          l.add(Arguments.of(cpu, mem));
        }
      }
    }
    return l.stream();
  }

  static ObjectNode fargate(String cpu, String memory) {
    ObjectNode d = ValidatorTest.story();
    d.put("cpu", cpu).put("memory", memory);
    ((ObjectNode) d.get("containerDefinitions").get(0)).remove("memory");
    return d;
  }

  @ParameterizedTest(name = "cpu {0} memory {1}")
  @MethodSource("validSizes")
  void validate_whenSizeInTable_acceptsIt(int cpu, int memory) {
    assertTrue(FargateSizes.isValid(cpu, memory));
    List<Violation> v = TaskDefinitions.validate(fargate(String.valueOf(cpu), String.valueOf(memory)));
    assertEquals(List.of(), v.stream().filter(x -> !x.warning()).toList());
  }

  @ParameterizedTest(name = "cpu {0} memory {1}")
  @MethodSource("invalidSizes")
  void validate_whenSizeNotInTable_namesTheAllowedMemory(int cpu, int memory) {
    assertFalse(FargateSizes.isValid(cpu, memory));
    List<Violation> v = TaskDefinitions.validate(fargate(String.valueOf(cpu), String.valueOf(memory)));
    assertEquals(1, v.size(), v.toString());
    assertEquals("memory", v.get(0).where());
    assertTrue(v.get(0).message().startsWith("Fargate has no task size cpu " + cpu + " with memory " + memory
        + ": with cpu " + cpu + " memory must be "), v.get(0).message());
  }

  @Test
  void table_hasExactlyTheIssuesCombinations() {
    int count = FargateSizes.table().values().stream().mapToInt(List::size).sum();
    assertEquals(expected().size(), count);
  }

  @ParameterizedTest
  @CsvSource({"128", "300", "1000", "3072", "32768"})
  void validate_whenCpuNotAFargateSize_listsTheValidOnes(String cpu) {
    List<Violation> v = TaskDefinitions.validate(fargate(cpu, "2048"));
    assertEquals(1, v.size(), v.toString());
    assertEquals("cpu: Fargate has no CPU size " + cpu + " (valid: 256, 512, 1024, 2048, 4096, 8192, 16384)",
        v.get(0).toString());
  }

  @Test
  void describeMemoryFor_readsLikeTheTable() {
    assertEquals("512, 1024 or 2048", FargateSizes.describeMemoryFor(256));
    assertEquals("2048-8192 in 1024 steps", FargateSizes.describeMemoryFor(1024));
    assertEquals("16384-61440 in 4096 steps", FargateSizes.describeMemoryFor(8192));
    assertEquals("32768-122880 in 8192 steps", FargateSizes.describeMemoryFor(16384));
  }

  @ParameterizedTest
  @CsvSource({"1024,1024", "1 vCPU,1024", "0.25 vcpu,256", ".5 vCPU,", "16 vCPU,16384", "lots,", "1.5,", "1 vcpus,",
      "9999999 vCPU,"})
  void parseCpu_acceptsUnitsAndVcpus(String in, Integer expected) {
    assertEquals(expected, FargateSizes.parseCpu(in));
  }

  @ParameterizedTest
  @CsvSource({"2048,2048", "2 GB,2048", "0.5GB,512", "512 MiB,512", "4gib,4096", "2 TB,", "1.5 MiB,",
      "2048 mb,2048"})
  void parseMemory_acceptsMibAndGb(String in, Integer expected) {
    assertEquals(expected, FargateSizes.parseMemory(in));
  }

  @Test
  void validate_whenSizeGivenInUnits_checksTheTable() {
    assertEquals(List.of(), TaskDefinitions.validate(fargate("1 vCPU", "4 GB")).stream()
        .filter(x -> !x.warning()).toList());
    assertNull(FargateSizes.parseCpu(null));
  }
}
