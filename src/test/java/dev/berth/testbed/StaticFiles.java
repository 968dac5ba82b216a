package dev.berth.testbed;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP server that answers GET path with the bytes {@code files} holds for it (404 otherwise) and counts
 * each request per path in {@code hits}: a release layout or a Maven repository for the launcher's downloads.
 * Both maps are read on every request, so a test may change them while the server runs.
 */
public final class StaticFiles {
  private StaticFiles() {}

  public static HttpServer start(Map<String, byte[]> files, Map<String, AtomicInteger> hits) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      String path = ex.getRequestURI().getPath();
      hits.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
      byte[] body = files.get(path);
      if (body == null) {
        ex.sendResponseHeaders(404, -1);
      } else {
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream o = ex.getResponseBody()) {
          o.write(body);
        }
      }
      ex.close();
    });
    server.start();
    return server;
  }
}
