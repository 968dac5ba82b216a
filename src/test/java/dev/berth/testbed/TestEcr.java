package dev.berth.testbed;

import dev.berth.aws.AwsClients;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * ECR as the tests read it (repositories, images, lifecycle policies): the SDK's ECR module is a test
 * dependency only, since berth itself talks to ECR through its own signed calls.
 */
public final class TestEcr {
  public static EcrClient of(AwsClients aws) {
    return aws.client(EcrClient.class, EcrClient::builder);
  }

  private TestEcr() {}
}
