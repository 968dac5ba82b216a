package dev.berth.aws;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The JVM's default trust manager (the default trust store, or {@code javax.net.ssl.trustStore}), created at the
 * first TLS handshake instead of when the HTTP client is built. The SDK's URL-connection client builds its SSL
 * context in its constructor, and with no trust managers given that loads and parses the whole trust store
 * (about 150 certificates): 170-770 ms of a 1 s step on this 2-core machine under load, even with the
 * ahead-of-time cache, for a step whose endpoint may be plain http (an emulator) or that fails before its
 * first call. Every check is the default trust manager's own (the same checks, hostname identification
 * included); only the moment it is made differs.
 */
final class LazyTrustManager extends X509ExtendedTrustManager {
  private final Supplier<X509ExtendedTrustManager> factory;
  private volatile X509ExtendedTrustManager delegate;

  LazyTrustManager(Supplier<X509ExtendedTrustManager> factory) {
    this.factory = factory;
  }

  /** The JVM's default trust manager, loaded on first use. */
  static TrustManager[] defaults() {
    return new TrustManager[] {new LazyTrustManager(LazyTrustManager::jvmDefault)};
  }

  static X509ExtendedTrustManager jvmDefault() {
    try {
      TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      f.init((KeyStore) null);
      for (TrustManager m : f.getTrustManagers()) {
        if (m instanceof X509ExtendedTrustManager x) {
          return x;
        }
      }
      throw new IllegalStateException("the JVM's default TrustManagerFactory has no X509ExtendedTrustManager");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot load the JVM's default trust store: " + e.getMessage(), e);
    }
  }

  X509ExtendedTrustManager delegate() {
    X509ExtendedTrustManager d = delegate;
    if (d == null) {
      synchronized (this) {
        d = delegate;
        if (d == null) {
          d = factory.get();
          delegate = d;
        }
      }
    }
    return d;
  }

  /** Whether the default trust manager has been loaded (tests). */
  boolean loaded() {
    return delegate != null;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    delegate().checkClientTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    delegate().checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    delegate().checkClientTrusted(chain, authType, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    delegate().checkServerTrusted(chain, authType, engine);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    delegate().checkClientTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    delegate().checkServerTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return delegate().getAcceptedIssuers();
  }
}
