package dev.berth.cli;

import dev.berth.aws.AwsSettings;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every step takes: AWS access, output, verbosity. */
public class CommonOptions {
  @Option(names = "--region", paramLabel = "REGION",
      description = "AWS region (default: AWS_REGION, then the profile's region).")
  String region;

  @Option(names = "--profile", paramLabel = "NAME",
      description = "Named profile from the shared AWS config/credentials files (default: the SDK chain).")
  String profile;

  @Option(names = "--role-arn", paramLabel = "ARN",
      description = "Assume this IAM role with STS; credentials are refreshed before they expire.")
  String roleArn;

  @Option(names = "--external-id", paramLabel = "ID", description = "External id for --role-arn.")
  String externalId;

  @Option(names = "--role-session-name", paramLabel = "NAME",
      description = "Session name for --role-arn (default: berth, or BERTH_ROLE_SESSION_NAME).")
  String roleSessionName;

  @Option(names = "--endpoint-url", paramLabel = "URL",
      description = "Send every AWS call to this endpoint (emulators). AWS_ENDPOINT_URL and "
          + "AWS_ENDPOINT_URL_<SERVICE> are honoured too.")
  URI endpointUrl;

  @Option(names = "--result-file", paramLabel = "PATH",
      description = "Also write the result JSON object to this file.")
  Path resultFile;

  @Option(names = {"-v", "--verbose"}, description = "More detail in the progress log (repeat for more).")
  boolean[] verbose = new boolean[0];

  @Option(names = {"-q", "--quiet"}, description = "Only warnings and errors on stderr.")
  boolean quiet;

  int verbosity() {
    return quiet ? -1 : verbose.length;
  }

  AwsSettings awsSettings(Map<String, String> env) {
    String session = roleSessionName != null ? roleSessionName : env.get("BERTH_ROLE_SESSION_NAME");
    return new AwsSettings(blankToNull(region), blankToNull(profile), blankToNull(roleArn), blankToNull(externalId),
        session, endpointUrl, AwsSettings.DEFAULT_CALL_TIMEOUT, AwsSettings.DEFAULT_ATTEMPT_TIMEOUT);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
