package dev.berth.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MiniJsonTest {
  @Test
  void parse_readsWhatJacksonReads() throws Exception {
    String doc = "{ \"a\": [1, -2.5e3, true, false, null, \"x\\\"y\\u00e9\\n\"], \"b\": {\"c\": {}}, \"d\": [] ,"
        + "\"big\": 12345678901234}";
    Object mine = MiniJson.parse(doc);
    Object jackson = new ObjectMapper().readValue(doc, Object.class);
    assertEquals(new ObjectMapper().writeValueAsString(jackson), new ObjectMapper().writeValueAsString(mine));
  }

  @Test
  void write_roundTrips() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("s", "q\"\\\n\u0001");
    m.put("l", List.of(1L, 2.5, true));
    m.put("n", null);
    assertEquals(m, MiniJson.parse(MiniJson.write(m)));
  }

  @Test
  void parse_rejectsBrokenDocuments() {
    for (String bad : List.of("{", "{\"a\" 1}", "[1,]x", "tru", "{\"a\":1} x", "")) {
      assertThrows(IllegalArgumentException.class, () -> MiniJson.parse(bad), bad);
    }
  }
}
