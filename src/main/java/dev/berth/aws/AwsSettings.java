package dev.berth.aws;

import java.net.URI;
import java.time.Duration;

/**
 * How to reach AWS: region, credentials source, endpoint override, timeouts. Holds no secret (credentials
 * come from the SDK chain, a named profile, or an assumed role), so {@code toString} is safe.
 *
 * @param region explicit region, or null for AWS_REGION / the profile's region
 * @param profile shared config/credentials profile, or null for the default chain
 * @param roleArn role to assume with STS, or null
 * @param externalId external id for the role, or null
 * @param roleSessionName session name for the role, or null for "berth"
 * @param endpointUrl one endpoint for every service (emulators), or null; AWS_ENDPOINT_URL and
 *     AWS_ENDPOINT_URL_SERVICE are honoured by the SDK's clients and berth's light ones alike
 * @param callTimeout deadline of one API call including retries
 * @param attemptTimeout deadline of one HTTP attempt
 */
public record AwsSettings(
    String region,
    String profile,
    String roleArn,
    String externalId,
    String roleSessionName,
    URI endpointUrl,
    Duration callTimeout,
    Duration attemptTimeout) {

  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofMinutes(2);
  public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(30);

  public static AwsSettings defaults() {
    return new AwsSettings(null, null, null, null, null, null, DEFAULT_CALL_TIMEOUT, DEFAULT_ATTEMPT_TIMEOUT);
  }

  public AwsSettings withRegion(String r) {
    return new AwsSettings(r, profile, roleArn, externalId, roleSessionName, endpointUrl, callTimeout, attemptTimeout);
  }

  public AwsSettings withEndpointUrl(URI e) {
    return new AwsSettings(region, profile, roleArn, externalId, roleSessionName, e, callTimeout, attemptTimeout);
  }
}
