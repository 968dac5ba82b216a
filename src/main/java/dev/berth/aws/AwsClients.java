package dev.berth.aws;

import dev.berth.report.BerthException;
import dev.berth.report.Durations;
import dev.berth.report.InvalidInputException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.applicationautoscaling.ApplicationAutoScalingClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * The only place that builds AWS SDK clients. Clients are built lazily (a step pays only for the services it
 * uses), share one HTTP client with connect/read timeouts, retry in the SDK's standard mode (throttling and
 * 5xx are retried with backoff), and are closed together.
 */
public final class AwsClients implements AutoCloseable {
  private final AwsSettings settings;
  private final List<AutoCloseable> closeables = java.util.Collections.synchronizedList(new ArrayList<>());
  // one lock per lazily made thing: a step's second thread (ecs-scale's autoscaling read) builds its client while
  // the main thread builds the ECS client, neither waiting for the other
  private final Object regionLock = new Object();
  private final Object credentialsLock = new Object();
  private final Object httpLock = new Object();
  private final Object ecsLock = new Object();
  private final Object autoscalingLock = new Object();
  private final ApiCallLog callLog;
  private volatile Region region;
  private volatile AwsCredentialsProvider credentials;
  private volatile SdkHttpClient http;
  private volatile EcsClient ecs;
  private EcsClient sdkEcs;
  private ApplicationAutoScalingClient sdkAutoscaling;
  private final Map<String, String> env;
  private volatile Boolean lightAllowed;
  private final Map<Class<?>, Object> others = new HashMap<>();
  private ElasticLoadBalancingV2Client elb;
  private volatile ApplicationAutoScalingClient autoscaling;
  private Ec2Client ec2;
  private CloudWatchLogsClient logs;
  private StsClient sts;
  private IamClient iam;

  private final Duration connectTimeout;
  private final int maxAttempts;
  private final EventualConsistency eventualConsistency;

  private AwsClients(AwsSettings settings, Map<String, String> env) {
    this.env = env;
    // test and tuning overrides: BERTH_AWS_CALL_TIMEOUT, BERTH_AWS_ATTEMPT_TIMEOUT, BERTH_AWS_CONNECT_TIMEOUT
    // (e.g. 5s, 500ms, 2m) and BERTH_AWS_MAX_ATTEMPTS (standard retry mode's attempts, default 3)
    Duration call = duration(env, "BERTH_AWS_CALL_TIMEOUT");
    Duration attempt = duration(env, "BERTH_AWS_ATTEMPT_TIMEOUT");
    this.settings = new AwsSettings(settings.region(), settings.profile(), settings.roleArn(), settings.externalId(),
        settings.roleSessionName(), settings.endpointUrl(), call != null ? call : settings.callTimeout(),
        attempt != null ? attempt : settings.attemptTimeout());
    Duration connect = duration(env, "BERTH_AWS_CONNECT_TIMEOUT");
    this.connectTimeout = connect != null ? connect : DEFAULT_CONNECT_TIMEOUT;
    String attempts = env.get("BERTH_AWS_MAX_ATTEMPTS");
    this.maxAttempts = attempts == null || attempts.isBlank() ? DEFAULT_MAX_ATTEMPTS : Integer.parseInt(attempts.trim());
    String log = env.get("BERTH_API_LOG");
    this.callLog = new ApiCallLog(log == null || log.isBlank() ? null : Path.of(log));
    java.net.URI endpoint = settings.endpointUrl() != null ? settings.endpointUrl()
        : env.get("AWS_ENDPOINT_URL") != null && !env.get("AWS_ENDPOINT_URL").isBlank()
            ? java.net.URI.create(env.get("AWS_ENDPOINT_URL").trim()) : null;
    this.proxy = Proxies.forScheme(env, endpoint != null && "http".equalsIgnoreCase(endpoint.getScheme()) ? "http"
        : "https");
    this.eventualConsistency = EventualConsistency.fromEnv(env);
  }

  /** The bounded retry of AWS's documented just-created refusals (see {@link EventualConsistency}). */
  public EventualConsistency eventualConsistency() {
    return eventualConsistency;
  }

  /** HTTPS_PROXY / HTTP_PROXY and NO_PROXY from the environment (see {@link Proxies}), or null. */
  private final software.amazon.awssdk.http.urlconnection.ProxyConfiguration proxy;

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Attempts per call in the SDK's standard retry mode (throttling, 5xx, resets and attempt timeouts are
   * retried with jittered backoff). 5 rather than the SDK's 3: a CI step makes dozens of calls, and at a 20%
   * transient fault rate 3 attempts lose a call in 125 (0.8%), 5 attempts one in 3125.
   */
  public static final int DEFAULT_MAX_ATTEMPTS = 5;

  /** A duration from the environment ({@link Durations}: 500ms, 1.5s, 2m30s, 1h); null when unset. */
  static Duration duration(Map<String, String> env, String name) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return Durations.parse(v);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(name, e.getMessage());
    }
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  /** Connect timeout of every AWS call. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  public static AwsClients create(AwsSettings settings, Map<String, String> env) {
    return new AwsClients(settings, env);
  }

  public static AwsClients create(AwsSettings settings) {
    return new AwsClients(settings, System.getenv());
  }

  public AwsSettings settings() {
    return settings;
  }

  /** Every call made so far, as IAM action names ({@code ecs:CreateService}). */
  public List<String> calls() {
    return callLog.calls();
  }

  /** The first BERTH_API_LOG append that failed during the run, or null (the calls themselves went on). */
  public String callLogFailure() {
    return callLog.failure();
  }

  /** Records a call made without the SDK (berth's own light clients) in the same call log. */
  public void recordCall(String action) {
    callLog.record(action);
  }

  /** The region in force: --region, else AWS_REGION / the profile's region. Exit 3 when there is none. */
  public Region region() {
    if (region == null) {
      synchronized (regionLock) {
        if (region == null) {
          region = resolveRegion();
        }
      }
    }
    return region;
  }

  private Region resolveRegion() {
    if (settings.region() != null && !settings.region().isBlank()) {
      return AwsRegions.check(settings.region(), "--region");
    }
    // the default chain's first provider, read directly (the chain's set-up is a few ms of every step):
    // the aws.region system property, else AWS_REGION
    String direct = System.getProperty("aws.region") == null ? System.getenv("AWS_REGION") : null;
    if (direct != null && !direct.isBlank()) {
      return AwsRegions.check(direct.trim(), "AWS_REGION");
    }
    Region found;
    try {
      DefaultAwsRegionProviderChain.Builder chain = DefaultAwsRegionProviderChain.builder();
      if (settings.profile() != null) {
        chain.profileName(settings.profile());
      }
      found = chain.build().getRegion();
    } catch (RuntimeException e) {
      throw new InvalidInputException("--region",
          "no AWS region: pass --region (for example us-east-2), set AWS_REGION, or give the profile a region");
    }
    return AwsRegions.check(found.id(), "AWS_REGION");
  }

  /** The credentials in force (profile, default chain, or an assumed role refreshed before expiry). */
  public AwsCredentialsProvider credentials() {
    if (credentials == null) {
      synchronized (credentialsLock) {
        if (credentials == null) {
          credentials = resolveCredentials();
        }
      }
    }
    return credentials;
  }

  private AwsCredentialsProvider resolveCredentials() {
    AwsCredentialsProvider fromEnvironment = settings.profile() == null ? environmentKeys() : null;
    AwsCredentialsProvider base = settings.profile() != null
        ? ProfileCredentialsProvider.create(settings.profile())
        : fromEnvironment != null ? fromEnvironment : DefaultCredentialsProvider.builder().build();
    if (settings.roleArn() == null) {
      return base;
    }
    StsClient stsForRole = configure(StsClient.builder(), base).build();
    closeables.add(stsForRole);
    String session = settings.roleSessionName() == null ? "berth" : settings.roleSessionName();
    StsAssumeRoleCredentialsProvider provider = StsAssumeRoleCredentialsProvider.builder()
        .stsClient(stsForRole)
        .refreshRequest(r -> {
          r.roleArn(settings.roleArn()).roleSessionName(sanitizeSessionName(session)).durationSeconds(3600);
          if (settings.externalId() != null) {
            r.externalId(settings.externalId());
          }
        })
        .build();
    closeables.add(provider);
    return provider;
  }

  /**
   * The keys in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), which the SDK's default chain
   * would find second, after the aws.* system properties; null when a system property is set or the keys are not
   * (then the whole chain runs). Read directly: building the chain is a few ms of every step.
   */
  static AwsCredentialsProvider environmentKeys() {
    if (System.getProperty("aws.accessKeyId") != null || System.getProperty("aws.secretAccessKey") != null
        || System.getProperty("aws.secretKey") != null || System.getProperty("aws.sessionToken") != null) {
      return null;
    }
    String id = trimmed(System.getenv("AWS_ACCESS_KEY_ID"));
    String secret = trimmed(System.getenv("AWS_SECRET_ACCESS_KEY"));
    String token = trimmed(System.getenv("AWS_SESSION_TOKEN"));
    if (id == null || secret == null) {
      return null;
    }
    return software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(token == null
        ? software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(id, secret)
        : software.amazon.awssdk.auth.credentials.AwsSessionCredentials.create(id, secret, token));
  }

  private static String trimmed(String v) {
    return v == null || v.isBlank() ? null : v.trim();
  }

  /** Role session names allow [\w+=,.@-]{2,64}. */
  static String sanitizeSessionName(String name) {
    String s = name.replaceAll("[^\\w+=,.@-]", "-");
    if (s.length() > 64) {
      s = s.substring(0, 64);
    }
    return s.length() < 2 ? "berth" : s;
  }

  private SdkHttpClient http() {
    if (http == null) {
      synchronized (httpLock) {
        if (http == null) {
          UrlConnectionHttpClient.Builder builder = UrlConnectionHttpClient.builder()
              .connectionTimeout(connectTimeout)
              .socketTimeout(settings.attemptTimeout() == null ? AwsSettings.DEFAULT_ATTEMPT_TIMEOUT
                  : settings.attemptTimeout())
              // the default trust store, loaded at the first TLS handshake rather than here (LazyTrustManager)
              .tlsTrustManagersProvider(LazyTrustManager::defaults);
          if (proxy != null) {
            builder.proxyConfiguration(proxy);
          }
          http = builder.build();
          closeables.add(http);
        }
      }
    }
    return http;
  }

  private <B extends AwsClientBuilder<B, ?>> B configure(B builder, AwsCredentialsProvider creds) {
    builder.region(region()).credentialsProvider(creds);
    if (settings.endpointUrl() != null) {
      builder.endpointOverride(settings.endpointUrl());
    }
    ClientOverrideConfiguration.Builder o = ClientOverrideConfiguration.builder()
        .retryStrategy(software.amazon.awssdk.awscore.retry.AwsRetryStrategy.standardRetryStrategy().toBuilder()
            .maxAttempts(maxAttempts).build())
        .apiCallTimeout(settings.callTimeout() == null ? AwsSettings.DEFAULT_CALL_TIMEOUT : settings.callTimeout())
        .apiCallAttemptTimeout(settings.attemptTimeout() == null ? AwsSettings.DEFAULT_ATTEMPT_TIMEOUT
            : settings.attemptTimeout())
        .addExecutionInterceptor(callLog);
    builder.overrideConfiguration(o.build());
    // every service client builder in the SDK has httpClient(...) through SdkSyncClientBuilder
    ((software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder<?, ?>) builder).httpClient(http());
    return builder;
  }

  private <T extends AutoCloseable> T build(Supplier<T> s) {
    T client = s.get();
    closeables.add(client);
    return client;
  }

  /**
   * ECS: berth's light client ({@link JsonService}) where the configuration is plain (see {@link #light}), else
   * the SDK's client.
   */
  public EcsClient ecs() {
    EcsClient c = ecs;
    if (c == null) {
      synchronized (ecsLock) {
        if (ecs == null) {
          JsonService light = light(LightEcsClient.SPEC, "ECS", "ecs");
          ecs = light == null ? sdkEcs() : new LightEcsClient(light, this::sdkEcs);
        }
        c = ecs;
      }
    }
    return c;
  }

  private synchronized EcsClient sdkEcs() {
    if (sdkEcs == null) {
      sdkEcs = build(() -> configure(EcsClient.builder(), credentials()).build());
    }
    return sdkEcs;
  }

  /**
   * The light JSON client of a service, or null when the SDK's client must be used: when BERTH_AWS_CLIENTS=sdk,
   * or when the endpoint could come from somewhere berth does not read (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, the
   * JVM's aws.* endpoint properties, a shared config file that sets endpoints, FIPS, dual-stack, services
   * sections or retries), or when the proxy wants a login. Otherwise the endpoint is the SDK's choice:
   * --endpoint-url, AWS_ENDPOINT_URL_SERVICE, AWS_ENDPOINT_URL, else the SDK's endpoint metadata for the region
   * (AWS_USE_FIPS_ENDPOINT and AWS_USE_DUALSTACK_ENDPOINT honoured).
   */
  private JsonService light(JsonService.Spec spec, String envSuffix, String metadataKey) {
    if (!lightAllowed()) {
      return null;
    }
    java.net.URI endpoint = settings.endpointUrl();
    if (endpoint == null) {
      String e = firstSet(env.get("AWS_ENDPOINT_URL_" + envSuffix), env.get("AWS_ENDPOINT_URL"));
      if (e != null) {
        try {
          endpoint = java.net.URI.create(e.trim());
        } catch (IllegalArgumentException bad) {
          return null; // the SDK client reports it as it always did
        }
      } else {
        try {
          endpoint = AwsEndpoints.of(metadataKey, region().id(), "true".equalsIgnoreCase(
              env.get("AWS_USE_FIPS_ENDPOINT")), "true".equalsIgnoreCase(env.get("AWS_USE_DUALSTACK_ENDPOINT")));
        } catch (RuntimeException noEndpoint) {
          return null; // the SDK's endpoint rules decide, as they always did
        }
      }
    }
    if (endpoint.getScheme() == null || endpoint.getHost() == null) {
      return null;
    }
    dev.berth.image.ProxyConfig proxies = lightProxies(env);
    java.net.URI proxy = "https".equalsIgnoreCase(endpoint.getScheme()) ? proxies.https() : proxies.http();
    if (proxy != null && proxy.getRawUserInfo() != null) {
      return null; // a proxy that wants a login: the SDK's HTTP client sends it
    }
    return new JsonService(spec, endpoint, region().id(), () -> credentials().resolveCredentials(),
        proxies, callLog, connectTimeout,
        settings.attemptTimeout() == null ? AwsSettings.DEFAULT_ATTEMPT_TIMEOUT : settings.attemptTimeout(),
        settings.callTimeout() == null ? AwsSettings.DEFAULT_CALL_TIMEOUT : settings.callTimeout(), maxAttempts,
        java.time.Clock.systemUTC(), Thread::sleep);
  }

  /**
   * The environment's proxies for the light clients, with NO_PROXY read as the SDK clients read it
   * ({@link Proxies#nonProxyPatterns}: an entry's port is not looked at), so that an endpoint goes direct or
   * through the proxy whichever client calls it.
   */
  static dev.berth.image.ProxyConfig lightProxies(Map<String, String> env) {
    dev.berth.image.ProxyConfig p = dev.berth.image.ProxyConfig.from(env);
    List<String> noProxy = new ArrayList<>();
    for (String e : p.noProxy()) {
      if (e.startsWith("[") && e.indexOf("]:") > 0) {
        noProxy.add(e.substring(0, e.indexOf("]:") + 1)); // [v6]:port
      } else if (!e.startsWith("[") && e.chars().filter(c -> c == ':').count() == 1) {
        noProxy.add(e.substring(0, e.indexOf(':'))); // host:port
      } else {
        noProxy.add(e);
      }
    }
    return new dev.berth.image.ProxyConfig(p.https(), p.http(), noProxy);
  }

  private static String firstSet(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }

  /** Keys of a shared config file that change how the SDK reaches or retries a service. */
  private static final java.util.regex.Pattern SDK_ONLY_CONFIG = java.util.regex.Pattern.compile(
      "(?im)^\\s*(\\[\\s*services\\b|endpoint_url|use_fips_endpoint|use_dualstack_endpoint|retry_mode|max_attempts"
      + "|defaults_mode|sigv4a_signing_region_set|ignore_configured_endpoint_urls)");

  private boolean lightAllowed() {
    if (lightAllowed == null) {
      lightAllowed = !"sdk".equalsIgnoreCase(String.valueOf(env.get("BERTH_AWS_CLIENTS")).trim())
          && firstSet(env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) == null
          && System.getProperty("aws.endpointUrl") == null && System.getProperty("aws.useFipsEndpoint") == null
          && System.getProperty("aws.useDualstackEndpoint") == null && !configSetsEndpoints();
    }
    return lightAllowed;
  }

  private boolean configSetsEndpoints() {
    String named = firstSet(env.get("AWS_CONFIG_FILE"));
    java.nio.file.Path file;
    if (named != null) {
      file = Path.of(named.startsWith("~") ? System.getProperty("user.home") + named.substring(1) : named);
    } else {
      file = Path.of(System.getProperty("user.home"), ".aws", "config");
    }
    try {
      if (!java.nio.file.Files.isRegularFile(file)) {
        return false;
      }
      // a shared config file is small; a huge one goes to the SDK, which reads it anyway
      if (java.nio.file.Files.size(file) > 1 << 20) {
        return true;
      }
      return SDK_ONLY_CONFIG.matcher(java.nio.file.Files.readString(file)).find();
    } catch (java.io.IOException | RuntimeException e) {
      return true;
    }
  }

  /**
   * A client of a service berth's steps do not call through the SDK (the tests read ECR with one), configured
   * like the others (region, credentials, endpoint, retries, timeouts, the shared HTTP client), built once and
   * closed with the rest. The service's SDK module must be on the classpath: berth's jar does not ship ECR's.
   */
  public synchronized <C extends SdkClient, B extends AwsClientBuilder<B, C>> C client(Class<C> type,
      Supplier<B> builder) {
    Object client = others.get(type);
    if (client == null) {
      client = build(() -> configure(builder.get(), credentials()).build());
      others.put(type, client);
    }
    return type.cast(client);
  }

  public synchronized ElasticLoadBalancingV2Client elb() {
    if (elb == null) {
      elb = build(() -> configure(ElasticLoadBalancingV2Client.builder(), credentials()).build());
    }
    return elb;
  }

  /** Application Auto Scaling: the light client where the configuration is plain (see {@link #light}). */
  public ApplicationAutoScalingClient autoscaling() {
    ApplicationAutoScalingClient c = autoscaling;
    if (c == null) {
      synchronized (autoscalingLock) {
        if (autoscaling == null) {
          JsonService light = light(LightApplicationAutoScalingClient.SPEC, "APPLICATION_AUTO_SCALING",
              "application-autoscaling");
          autoscaling = light == null ? sdkAutoscaling() : new LightApplicationAutoScalingClient(light,
              this::sdkAutoscaling);
        }
        c = autoscaling;
      }
    }
    return c;
  }

  private synchronized ApplicationAutoScalingClient sdkAutoscaling() {
    if (sdkAutoscaling == null) {
      sdkAutoscaling = build(() -> configure(ApplicationAutoScalingClient.builder(), credentials()).build());
    }
    return sdkAutoscaling;
  }

  public synchronized Ec2Client ec2() {
    if (ec2 == null) {
      ec2 = build(() -> configure(Ec2Client.builder(), credentials()).build());
    }
    return ec2;
  }

  public synchronized CloudWatchLogsClient logs() {
    if (logs == null) {
      logs = build(() -> configure(CloudWatchLogsClient.builder(), credentials()).build());
    }
    return logs;
  }

  /** IAM (a global service: the SDK's endpoint rules send it to the partition's IAM endpoint). */
  public synchronized IamClient iam() {
    if (iam == null) {
      iam = build(() -> configure(IamClient.builder(), credentials()).build());
    }
    return iam;
  }

  public synchronized StsClient sts() {
    if (sts == null) {
      sts = build(() -> configure(StsClient.builder(), credentials()).build());
    }
    return sts;
  }

  @Override
  public synchronized void close() {
    synchronized (closeables) {
      for (int i = closeables.size() - 1; i >= 0; i--) {
        try {
          closeables.get(i).close();
        } catch (Exception e) {
          // closing is best effort; nothing is left to report to
        }
      }
      closeables.clear();
    }
  }

  /** Exposed for BerthException users that want an access error with the AWS cause. */
  static BerthException accessError(String message, Throwable cause) {
    return BerthException.access(message, cause);
  }
}
