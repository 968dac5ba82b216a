package dev.berth.testbed;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The test suite's own fault-injecting HTTP proxy, on loopback only. Clients talk to it as if it were the
 * server ({@link #endpoint()} replaces moto's or the registry's URL); it forwards each request to the upstream
 * and answers a configurable share of them with a fault instead:
 *
 * <ul>
 *   <li>{@link Fault#THROTTLE}: the throttling error in the protocol of the request: the JSON protocol's
 *       {@code ThrottlingException} (ECS, ECR, Application Auto Scaling, CloudWatch Logs), the query protocol's
 *       {@code Throttling} (ELBv2, STS), EC2's {@code RequestLimitExceeded}, the registry's 429
 *       {@code TOOMANYREQUESTS};
 *   <li>{@link Fault#ERROR_500}, {@link Fault#ERROR_503}: server errors in the same shapes;
 *   <li>{@link Fault#RESET}: the connection is reset (TCP RST) after the request was read, before any answer;
 *   <li>{@link Fault#CUT}: the request body is cut half way (read half, then reset) — a cut upload;
 *   <li>{@link Fault#DELAY}: the request is forwarded after {@link Builder#delay(Duration)};
 *   <li>{@link Fault#LOST_ANSWER}: the request is forwarded (the upstream acts on it), then the connection is
 *       reset before the answer reaches the client: a retry of a create finds the thing already there.
 * </ul>
 *
 * Randomness is seeded, so a run is repeatable (up to thread interleaving); counters say how many faults of
 * each kind were injected and how many requests were forwarded. A {@link Hook} sees every answer the upstream
 * gave before the client does and may swallow it (the interrupted-run tests kill the client there).
 */
public final class FaultProxy implements AutoCloseable {
  /** The kinds of fault. */
  public enum Fault { THROTTLE, ERROR_500, ERROR_503, RESET, CUT, DELAY, LOST_ANSWER }

  /** One request as the proxy saw it. */
  public record Exchange(String method, String path, String service, String operation, int status) {
    /** {@code ecs:CreateService}, or {@code registry:PUT /v2/...}. */
    public String action() {
      return service + ":" + operation;
    }

    /** True for calls that change something (not Describe/List/Get/BatchGet/BatchCheck, not GET/HEAD). */
    public boolean mutating() {
      if (service.equals("registry")) {
        return !(method.equals("GET") || method.equals("HEAD"));
      }
      return !(operation.startsWith("Describe") || operation.startsWith("List") || operation.startsWith("Get")
          || operation.startsWith("BatchGet") || operation.startsWith("BatchCheck"));
    }
  }

  /** Sees each upstream answer before the client; returns true to swallow it (the client gets a reset). */
  @FunctionalInterface
  public interface Hook {
    boolean afterUpstream(Exchange exchange);
  }

  /** Changes an upstream answer's body before the client sees it (e.g. an ECR token with a sentinel value). */
  @FunctionalInterface
  public interface Rewriter {
    byte[] rewrite(Exchange exchange, byte[] body);
  }

  /** An answer the proxy gives itself instead of forwarding. */
  public record Answer(int status, String contentType, String body) {}

  /**
   * Decides from a request (and its headers) whether the proxy answers it itself: the test bed's stand-in for
   * what AWS does and moto does not (refusing an unknown access key or an expired session token).
   */
  @FunctionalInterface
  public interface Responder {
    Answer answer(Exchange exchange, Map<String, List<String>> headers);
  }

  /** Like {@link Responder}, seeing the request body (a manifest, a form). */
  @FunctionalInterface
  public interface BodyResponder {
    Answer answer(Exchange exchange, byte[] body);
  }

  /** AWS's answer to a request signed with an unknown access key, in the request's protocol. */
  public static Answer unknownKey(Exchange e, boolean json) {
    return json ? new Answer(400, "application/x-amz-json-1.1",
        "{\"__type\":\"UnrecognizedClientException\",\"message\":\"The security token included in the request is invalid.\"}")
        : new Answer(403, "text/xml", "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>"
            + "<Message>The security token included in the request is invalid.</Message></Error>"
            + "<RequestId>faultproxy</RequestId></ErrorResponse>");
  }

  /** AWS's answer to a request signed with an expired session token. */
  public static Answer expiredToken(Exchange e, boolean json) {
    return json ? new Answer(400, "application/x-amz-json-1.1",
        "{\"__type\":\"ExpiredTokenException\",\"message\":\"The security token included in the request is expired\"}")
        : new Answer(400, "text/xml", "<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code>"
            + "<Message>The security token included in the request is expired</Message></Error>"
            + "<RequestId>faultproxy</RequestId></ErrorResponse>");
  }

  private static final Pattern SCOPE = Pattern.compile("Credential=[^/]+/\\d{8}/[^/]+/([^/]+)/aws4_request");
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "expect", "host",
      "upgrade", "transfer-encoding", "keep-alive", "proxy-connection", "te", "trailer");

  private final URI upstream;
  private final double rate;
  private final List<Fault> faults;
  private final Duration delay;
  private final Predicate<Exchange> eligible;
  private final Random random;
  private volatile Hook hook;
  private final Rewriter rewriter;
  private final Responder responder;
  private final BodyResponder bodyResponder;
  private final ServerSocket server;
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fault-proxy");
    t.setDaemon(true);
    return t;
  });
  private final HttpClient client;
  private final Map<Fault, AtomicInteger> injected = new EnumMap<>(Fault.class);
  private final AtomicInteger forwarded = new AtomicInteger();
  private final AtomicInteger seen = new AtomicInteger();
  private final List<Exchange> log = new CopyOnWriteArrayList<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile double currentRate;
  private volatile boolean closed;

  private FaultProxy(Builder b) throws IOException {
    this.upstream = b.upstream;
    this.rate = b.rate;
    this.currentRate = b.rate;
    this.faults = List.copyOf(b.faults);
    this.delay = b.delay;
    this.eligible = b.eligible;
    this.random = new Random(b.seed);
    this.hook = b.hook;
    this.rewriter = b.rewriter;
    this.responder = b.responder;
    this.bodyResponder = b.bodyResponder;
    for (Fault f : Fault.values()) {
      injected.put(f, new AtomicInteger());
    }
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public static Builder to(URI upstream) {
    return new Builder(upstream);
  }

  /** Configuration of a proxy. */
  public static final class Builder {
    private final URI upstream;
    private double rate;
    private List<Fault> faults = List.of(Fault.THROTTLE, Fault.ERROR_500, Fault.ERROR_503, Fault.RESET);
    private Duration delay = Duration.ofSeconds(2);
    private Predicate<Exchange> eligible = e -> true;
    private long seed = 20261126L;
    private Hook hook;
    private Rewriter rewriter;
    private Responder responder;
    private BodyResponder bodyResponder;

    private Builder(URI upstream) {
      this.upstream = upstream;
    }

    /** Share of eligible requests answered with a fault, 0..1. */
    public Builder rate(double share) {
      this.rate = share;
      return this;
    }

    /** The kinds of fault to choose from (uniformly). */
    public Builder faults(Fault... kinds) {
      this.faults = List.of(kinds);
      return this;
    }

    public Builder delay(Duration d) {
      this.delay = d;
      return this;
    }

    /** Only requests that pass this test may get a fault (status is -1 at that point). */
    public Builder only(Predicate<Exchange> p) {
      this.eligible = p;
      return this;
    }

    public Builder seed(long s) {
      this.seed = s;
      return this;
    }

    public Builder hook(Hook h) {
      this.hook = h;
      return this;
    }

    public Builder respondWithBody(BodyResponder r) {
      this.responder = (ex, headers) -> null;
      this.bodyResponder = r;
      return this;
    }

    public Builder respond(Responder r) {
      this.responder = r;
      return this;
    }

    public Builder rewrite(Rewriter r) {
      this.rewriter = r;
      return this;
    }

    public FaultProxy start() {
      try {
        return new FaultProxy(this);
      } catch (IOException e) {
        throw new IllegalStateException("cannot start the fault proxy", e);
      }
    }
  }

  /** {@code http://127.0.0.1:PORT}: give this to the client instead of the upstream. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** {@code 127.0.0.1:PORT}, the host part of image references through the proxy. */
  public String host() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /** Changes the fault rate from now on (0 turns faults off). */
  public void rate(double share) {
    this.currentRate = share;
  }

  public void hook(Hook h) {
    this.hook = h;
  }

  /** Faults injected so far, by kind. */
  public Map<Fault, Integer> injected() {
    Map<Fault, Integer> m = new LinkedHashMap<>();
    injected.forEach((k, v) -> m.put(k, v.get()));
    return m;
  }

  public int injectedTotal() {
    return injected.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  /** Requests forwarded to the upstream (including delayed ones). */
  public int forwarded() {
    return forwarded.get();
  }

  /** Requests received. */
  public int seen() {
    return seen.get();
  }

  /** Every request received, in order, with the status the client got (-1 for a reset or cut). */
  public List<Exchange> exchanges() {
    return Collections.unmodifiableList(new ArrayList<>(log));
  }

  @Override
  public String toString() {
    return "FaultProxy(" + endpoint() + " -> " + upstream + ", rate " + rate + ", seen " + seen + ", forwarded "
        + forwarded + ", injected " + injected() + ")";
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket s = server.accept();
        open.add(s);
        pool.execute(() -> serve(s));
      } catch (IOException e) {
        if (!closed) {
          // a failed accept is not fatal for the proxy; the next one may work
          continue;
        }
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      socket.setSoTimeout(120_000);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      while (!closed) {
        Request req = Request.read(in);
        if (req == null) {
          return;
        }
        seen.incrementAndGet();
        Fault fault;
        if (faults.contains(Fault.CUT)) {
          // a cut must be chosen before the body is read, from the headers alone
          fault = choose(new Exchange(req.method, req.path, req.service(), req.operation(), -1));
          if (fault == Fault.CUT && req.hasBodyHeader()) {
            injected.get(fault).incrementAndGet();
            req.readBody(in, true);
            log.add(new Exchange(req.method, req.path, req.service(), req.operation(), -1));
            reset(socket);
            return;
          }
          req.readBody(in, false);
          if (fault == Fault.CUT) {
            fault = Fault.RESET;
          }
        } else {
          req.readBody(in, false);
          fault = choose(new Exchange(req.method, req.path, req.service(), req.operation(), -1));
        }
        Exchange probe = new Exchange(req.method, req.path, req.service(), req.operation(), -1);
        if (fault == Fault.RESET) {
          injected.get(fault).incrementAndGet();
          log.add(probe);
          reset(socket);
          return;
        }
        Response resp;
        Answer answer = responder == null ? null : responder.answer(probe, req.headers);
        if (answer == null && bodyResponder != null) {
          synchronized (bodyResponder) {
            answer = bodyResponder.answer(probe, req.body);
          }
        }
        if (answer != null) {
          Map<String, List<String>> h = new LinkedHashMap<>();
          h.put("Content-Type", List.of(answer.contentType()));
          resp = new Response(answer.status(), h, answer.body().getBytes(StandardCharsets.UTF_8), null);
        } else if (fault == Fault.THROTTLE || fault == Fault.ERROR_500 || fault == Fault.ERROR_503) {
          injected.get(fault).incrementAndGet();
          resp = errorFor(req, fault);
        } else {
          if (fault == Fault.DELAY) {
            injected.get(fault).incrementAndGet();
            Thread.sleep(delay.toMillis());
          }
          resp = forward(req);
          forwarded.incrementAndGet();
          if (fault == Fault.LOST_ANSWER) {
            injected.get(fault).incrementAndGet();
            log.add(new Exchange(req.method, req.path, probe.service(), probe.operation(), -1));
            reset(socket);
            return;
          }
          if (rewriter != null) {
            byte[] changed = rewriter.rewrite(new Exchange(req.method, req.path, probe.service(), probe.operation(),
                resp.status), resp.body);
            if (changed != resp.body) {
              resp = new Response(resp.status, resp.headers, changed, resp.upstreamLength);
            }
          }
          Hook h = hook;
          if (h != null && h.afterUpstream(new Exchange(req.method, req.path, probe.service(), probe.operation(),
              resp.status))) {
            log.add(new Exchange(req.method, req.path, probe.service(), probe.operation(), -1));
            reset(socket);
            return;
          }
        }
        log.add(new Exchange(req.method, req.path, probe.service(), probe.operation(), resp.status));
        resp.write(out, req.method.equals("HEAD"));
        if (req.closeAfter()) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // the client went away or the upstream failed: nothing to answer to
    } finally {
      open.remove(socket);
    }
  }

  private Fault choose(Exchange probe) {
    double r = currentRate;
    if (r <= 0 || faults.isEmpty() || !eligible.test(probe)) {
      return null;
    }
    synchronized (random) {
      if (random.nextDouble() >= r) {
        return null;
      }
      return faults.get(random.nextInt(faults.size()));
    }
  }

  private static void reset(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
      socket.close();
    } catch (IOException e) {
      // already gone
    }
  }

  private Response forward(Request req) throws IOException, InterruptedException {
    URI target = URI.create(upstream.toString().replaceAll("/$", "") + req.path);
    HttpRequest.Builder b = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(120));
    for (Map.Entry<String, List<String>> h : req.headers.entrySet()) {
      if (HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
        continue;
      }
      for (String v : h.getValue()) {
        b.header(h.getKey(), v);
      }
    }
    b.method(req.method, req.body.length == 0 && !req.hasBodyHeader()
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(req.body));
    HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    Map<String, List<String>> headers = new LinkedHashMap<>();
    String upstreamAuthority = upstream.getAuthority();
    String contentLength = null;
    for (Map.Entry<String, List<String>> h : r.headers().map().entrySet()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (name.equals("content-length")) {
        contentLength = h.getValue().get(0);
      }
      if (HOP_BY_HOP.contains(name) || name.equals(":status")) {
        continue;
      }
      List<String> values = new ArrayList<>();
      for (String v : h.getValue()) {
        // absolute URLs the upstream builds from its own address (registry upload locations) go through us
        values.add(v.replace(upstreamAuthority, host()));
      }
      headers.put(h.getKey(), values);
    }
    return new Response(r.statusCode(), headers, r.body(), contentLength);
  }

  /** An error answer in the protocol the request speaks. */
  private static Response errorFor(Request req, Fault fault) {
    String service = req.service();
    int status = fault == Fault.THROTTLE ? (service.equals("registry") ? 429 : 400)
        : fault == Fault.ERROR_500 ? 500 : 503;
    Map<String, List<String>> headers = new LinkedHashMap<>();
    String body;
    String requestId = "faultproxy-" + Long.toHexString(System.nanoTime());
    headers.put("x-amzn-RequestId", List.of(requestId));
    if (service.equals("registry")) {
      String code = fault == Fault.THROTTLE ? "TOOMANYREQUESTS" : "UNAVAILABLE";
      headers.put("Content-Type", List.of("application/json"));
      body = "{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"injected by the fault proxy\"}]}";
    } else if (req.isJsonProtocol()) {
      String type = fault == Fault.THROTTLE ? "ThrottlingException"
          : fault == Fault.ERROR_500 ? "InternalFailure" : "ServiceUnavailable";
      String message = fault == Fault.THROTTLE ? "Rate exceeded" : "injected by the fault proxy";
      headers.put("Content-Type", List.of("application/x-amz-json-1.1"));
      headers.put("x-amzn-ErrorType", List.of(type));
      body = "{\"__type\":\"" + type + "\",\"message\":\"" + message + "\"}";
    } else if (service.equals("ec2")) {
      String code = fault == Fault.THROTTLE ? "RequestLimitExceeded"
          : fault == Fault.ERROR_500 ? "InternalError" : "Unavailable";
      headers.put("Content-Type", List.of("text/xml;charset=UTF-8"));
      body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + code
          + "</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>" + requestId
          + "</RequestID></Response>";
    } else {
      String code = fault == Fault.THROTTLE ? "Throttling"
          : fault == Fault.ERROR_500 ? "InternalFailure" : "ServiceUnavailable";
      String type = fault == Fault.THROTTLE ? "Sender" : "Receiver";
      headers.put("Content-Type", List.of("text/xml"));
      body = "<ErrorResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\"><Error><Type>"
          + type + "</Type><Code>" + code + "</Code><Message>Rate exceeded</Message></Error><RequestId>"
          + requestId + "</RequestId></ErrorResponse>";
    }
    return new Response(status, headers, body.getBytes(StandardCharsets.UTF_8), null);
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing
    }
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException e) {
        // closing
      }
    }
    pool.shutdownNow();
  }

  /** A parsed HTTP/1.1 request. */
  private static final class Request {
    final String method;
    final String path;
    final Map<String, List<String>> headers;
    byte[] body = new byte[0];

    private Request(String method, String path, Map<String, List<String>> headers) {
      this.method = method;
      this.path = path;
      this.headers = headers;
    }

    static Request read(InputStream in) throws IOException {
      String line = readLine(in);
      while (line != null && line.isEmpty()) {
        line = readLine(in);
      }
      if (line == null) {
        return null;
      }
      String[] parts = line.split(" ");
      if (parts.length < 3) {
        throw new IOException("bad request line: " + line);
      }
      Map<String, List<String>> headers = new LinkedHashMap<>();
      for (String h = readLine(in); h != null && !h.isEmpty(); h = readLine(in)) {
        int colon = h.indexOf(':');
        if (colon > 0) {
          headers.computeIfAbsent(h.substring(0, colon).trim(), k -> new ArrayList<>()).add(h.substring(colon + 1).trim());
        }
      }
      return new Request(parts[0], parts[1], headers);
    }

    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    boolean hasBodyHeader() {
      return header("Content-Length") != null || header("Transfer-Encoding") != null;
    }

    boolean closeAfter() {
      String c = header("Connection");
      return c != null && c.equalsIgnoreCase("close");
    }

    /** Reads the body; with {@code half}, reads only half of it (the caller then cuts the connection). */
    void readBody(InputStream in, boolean half) throws IOException {
      String te = header("Transfer-Encoding");
      String cl = header("Content-Length");
      if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
          String size = readLine(in);
          if (size == null) {
            throw new IOException("chunked body ended early");
          }
          int semi = size.indexOf(';');
          int n = Integer.parseInt((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
          if (n == 0) {
            for (String t = readLine(in); t != null && !t.isEmpty(); t = readLine(in)) {
              // trailers are dropped
            }
            break;
          }
          if (half) {
            b.write(in.readNBytes(Math.max(1, n / 2)));
            break;
          }
          b.write(in.readNBytes(n));
          readLine(in);
        }
        body = b.toByteArray();
      } else if (cl != null) {
        int n = Integer.parseInt(cl.trim());
        body = in.readNBytes(half ? n / 2 : n);
        if (!half && body.length < n) {
          throw new IOException("body ended early");
        }
      }
    }

    boolean isJsonProtocol() {
      String ct = header("Content-Type");
      return header("X-Amz-Target") != null || (ct != null && ct.contains("amz-json"));
    }

    /** The AWS service from the SigV4 scope, or "registry" when the request is not signed for AWS. */
    String service() {
      String auth = header("Authorization");
      if (auth != null) {
        Matcher m = SCOPE.matcher(auth);
        if (m.find()) {
          return m.group(1);
        }
      }
      return path.startsWith("/v2") ? "registry" : "unknown";
    }

    /** The AWS operation (X-Amz-Target or the query Action), or "METHOD /path" for the registry. */
    String operation() {
      String target = header("X-Amz-Target");
      if (target != null) {
        return target.substring(target.lastIndexOf('.') + 1);
      }
      if (body.length > 0) {
        String form = new String(body, StandardCharsets.UTF_8);
        for (String kv : form.split("&")) {
          if (kv.startsWith("Action=")) {
            return URLDecoder.decode(kv.substring(7), StandardCharsets.UTF_8);
          }
        }
      }
      int q = path.indexOf('?');
      String p = q >= 0 ? path.substring(0, q) : path;
      return method + " " + p;
    }

    private static String readLine(InputStream in) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) != -1) {
        if (c == '\n') {
          break;
        }
        b.write(c);
      }
      if (c == -1 && b.size() == 0) {
        return null;
      }
      String s = b.toString(StandardCharsets.ISO_8859_1);
      return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }
  }

  /** An answer to write back. */
  private record Response(int status, Map<String, List<String>> headers, byte[] body, String upstreamLength) {
    void write(OutputStream out, boolean head) throws IOException {
      StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
      for (Map.Entry<String, List<String>> h : headers.entrySet()) {
        for (String v : h.getValue()) {
          sb.append(h.getKey()).append(": ").append(v).append("\r\n");
        }
      }
      boolean noBody = status == 204 || status == 304 || (status >= 100 && status < 200);
      if (head) {
        if (upstreamLength != null) {
          sb.append("Content-Length: ").append(upstreamLength).append("\r\n");
        }
      } else if (!noBody) {
        sb.append("Content-Length: ").append(body.length).append("\r\n");
      }
      sb.append("\r\n");
      out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (!head && !noBody) {
        out.write(body);
      }
      out.flush();
    }

    private static String reason(int status) {
      return switch (status) {
        case 200 -> "OK";
        case 201 -> "Created";
        case 202 -> "Accepted";
        case 204 -> "No Content";
        case 307 -> "Temporary Redirect";
        case 400 -> "Bad Request";
        case 401 -> "Unauthorized";
        case 403 -> "Forbidden";
        case 404 -> "Not Found";
        case 429 -> "Too Many Requests";
        case 500 -> "Internal Server Error";
        case 503 -> "Service Unavailable";
        default -> "Status";
      };
    }
  }

  /** True when the socket error means the peer went away (used by tests that expect resets). */
  static boolean isReset(Throwable e) {
    return e instanceof SocketException;
  }
}
