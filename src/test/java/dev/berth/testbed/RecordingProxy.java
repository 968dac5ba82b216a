package dev.berth.testbed;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A forward HTTP proxy on loopback that records every request it is asked to carry: absolute-form requests
 * ({@code POST http://host:port/ HTTP/1.1}, plain http targets) are forwarded and answered; {@code CONNECT
 * host:443} (https targets) is recorded and refused with 502, since these machines reach no AWS endpoint.
 */
public final class RecordingProxy implements AutoCloseable {
  /** One request the proxy was asked to carry: method, target (URL or host:port), headers (lower-case names). */
  public record Request(String method, String target, Map<String, String> headers) {}

  private final ServerSocket server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  private RecordingProxy() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::acceptLoop, "recording-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public static RecordingProxy start() {
    try {
      return new RecordingProxy();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** http://127.0.0.1:PORT */
  public String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread t = new Thread(() -> serve(s), "recording-proxy-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      while (true) {
        String line = readLine(in);
        if (line == null || line.isEmpty()) {
          return;
        }
        String[] parts = line.split(" ");
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h = readLine(in); h != null && !h.isEmpty(); h = readLine(in)) {
          int colon = h.indexOf(':');
          headers.put(h.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), h.substring(colon + 1).trim());
        }
        requests.add(new Request(parts[0], parts[1], headers));
        if (parts[0].equals("CONNECT")) {
          out.write("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
          out.flush();
          return;
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        forward(parts[0], URI.create(parts[1]), headers, body, out);
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  private static void forward(String method, URI target, Map<String, String> headers, byte[] body, OutputStream out)
      throws IOException {
    HttpURLConnection c = (HttpURLConnection) target.toURL().openConnection(Proxy.NO_PROXY);
    c.setRequestMethod(method);
    for (Map.Entry<String, String> h : headers.entrySet()) {
      if (!List.of("host", "content-length", "connection", "proxy-connection", "proxy-authorization")
          .contains(h.getKey())) {
        c.setRequestProperty(h.getKey(), h.getValue());
      }
    }
    if (body.length > 0) {
      c.setDoOutput(true);
      c.getOutputStream().write(body);
    }
    int status = c.getResponseCode();
    InputStream answer = status >= 400 ? c.getErrorStream() : c.getInputStream();
    byte[] bytes = answer == null ? new byte[0] : answer.readAllBytes();
    StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " X\r\n");
    for (Map.Entry<String, List<String>> h : c.getHeaderFields().entrySet()) {
      if (h.getKey() != null && !List.of("transfer-encoding", "content-length", "connection")
          .contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
        for (String v : h.getValue()) {
          head.append(h.getKey()).append(": ").append(v).append("\r\n");
        }
      }
    }
    head.append("Content-Length: ").append(bytes.length).append("\r\n\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(bytes);
    out.flush();
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      b.write(c);
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closing
    }
  }

  /** The targets recorded, in order. */
  public List<String> targets() {
    List<String> t = new ArrayList<>();
    for (Request r : requests) {
      t.add(r.method() + " " + r.target());
    }
    return t;
  }
}
