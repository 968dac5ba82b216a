package dev.berth.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * The AWS clients' trust manager is the JVM's default one, loaded at the first TLS handshake: a loopback HTTPS
 * server with a self-signed certificate (made by the JDK's keytool) is refused as the default trust manager
 * refuses it, and accepted when the delegate trusts its certificate.
 */
class LazyTrustManagerTest {
  @TempDir Path tmp;
  private HttpsServer server;
  private KeyStore serverKeys;

  @BeforeEach
  void startServer() throws Exception {
    Path ks = tmp.resolve("server.p12");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-keyalg", "EC", "-alias", "server", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool: " + out);
    serverKeys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ks)) {
      serverKeys.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(serverKeys, "changeit".toCharArray());
    SSLContext serverTls = SSLContext.getInstance("TLS");
    serverTls.init(kmf.getKeyManagers(), null, null);
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
    server.createContext("/", x -> {
      byte[] body = "{\"clusterArns\":[]}".getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
      x.sendResponseHeaders(200, body.length);
      x.getResponseBody().write(body);
      x.close();
    });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  private URL url() throws Exception {
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/").toURL();
  }

  private static int get(URL url, TrustManager tm) throws Exception {
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, new TrustManager[] {tm}, null);
    HttpsURLConnection c = (HttpsURLConnection) url.openConnection();
    c.setSSLSocketFactory(tls.getSocketFactory());
    try {
      return c.getResponseCode();
    } finally {
      c.disconnect();
    }
  }

  @Test
  void handshake_withTheJvmDefaults_refusesASelfSignedServer_andLoadsTheTrustStoreOnlyThen() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    LazyTrustManager tm = new LazyTrustManager(() -> {
      loads.incrementAndGet();
      return LazyTrustManager.jvmDefault();
    });
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, new TrustManager[] {tm}, null);
    tls.getSocketFactory();
    assertFalse(tm.loaded(), "the trust store was loaded before any handshake");
    assertThrows(SSLHandshakeException.class, () -> get(url(), tm));
    assertTrue(tm.loaded());
    assertThrows(SSLHandshakeException.class, () -> get(url(), tm));
    assertEquals(1, loads.get(), "the default trust manager is made once");
  }

  @Test
  void handshake_whenTheDelegateTrustsTheServersCertificate_succeeds() throws Exception {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("server", serverKeys.getCertificate("server"));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    LazyTrustManager tm = new LazyTrustManager(() -> (X509ExtendedTrustManager) tmf.getTrustManagers()[0]);
    assertEquals(200, get(url(), tm));
  }

  @Test
  void awsClients_overHttpsToAnUntrustedServer_failTheHandshake() throws Exception {
    AwsSettings settings = AwsSettings.defaults().withRegion("us-east-2")
        .withEndpointUrl(URI.create("https://127.0.0.1:" + server.getAddress().getPort()));
    try (AwsClients clients = AwsClients.create(settings, Map.of("AWS_ACCESS_KEY_ID", "testing",
        "AWS_SECRET_ACCESS_KEY", "testing", "BERTH_AWS_MAX_ATTEMPTS", "1"))) {
      SdkClientException e = assertThrows(SdkClientException.class, () -> clients.ecs().listClusters());
      assertTrue(causes(e).stream().anyMatch(SSLHandshakeException.class::isInstance), String.valueOf(causes(e)));
    }
  }

  private static List<Throwable> causes(Throwable t) {
    List<Throwable> all = new java.util.ArrayList<>();
    for (Throwable c = t; c != null && !all.contains(c); c = c.getCause()) {
      all.add(c);
    }
    return all;
  }
}
