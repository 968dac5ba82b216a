// GENERATED from the options of `berth ecs-deploy-service` by src/test/java/dev/berth/jenkins/VarsGenerator.java:
// do not edit. When the CLI options change, regenerate with
//   mvn -o -q -B test -Dtest=VarsInSyncTest -Dberth.regenerate=true

/**
 * ecsDeployService(key: value, ...): runs `berth ecs-deploy-service` on this agent and returns its result as a Map.
 * Keys, types and defaults: vars/ecsDeployService.txt (Pipeline Syntax > Global Variables).
 */
def call(Map args = [:]) {
  return berth.runStep('ecsDeployService', 'ecs-deploy-service', keys(), args)
}

/** The keys of ecsDeployService: the options of `berth ecs-deploy-service` (see berth.runStep for the kinds). */
Map keys() {
  return [
    'cluster': [option: '--cluster', kind: 'STRING', required: true],
    'service': [option: '--service', kind: 'STRING', required: true],
    'taskDefinition': [option: '--task-definition', kind: 'STRING', required: true],
    'containerInsights': [option: '--container-insights', kind: 'NEGATABLE', negated: '--no-container-insights'],
    'platformVersion': [option: '--platform-version', kind: 'STRING'],
    'capacityProvider': [option: '--capacity-provider', kind: 'LIST'],
    'subnets': [option: '--subnets', kind: 'CSV', split: ','],
    'securityGroups': [option: '--security-groups', kind: 'CSV', split: ','],
    'assignPublicIp': [option: '--assign-public-ip', kind: 'NEGATABLE', negated: '--no-assign-public-ip'],
    'desiredCount': [option: '--desired-count', kind: 'INT'],
    'targetGroupArn': [option: '--target-group-arn', kind: 'STRING'],
    'containerName': [option: '--container-name', kind: 'STRING'],
    'containerPort': [option: '--container-port', kind: 'INT'],
    'createLoadBalancer': [option: '--create-load-balancer', kind: 'BOOLEAN'],
    'loadBalancerSubnets': [option: '--load-balancer-subnets', kind: 'CSV', split: ','],
    'loadBalancerScheme': [option: '--load-balancer-scheme', kind: 'STRING'],
    'vpcId': [option: '--vpc-id', kind: 'STRING'],
    'healthCheckPath': [option: '--health-check-path', kind: 'STRING'],
    'healthCheckInterval': [option: '--health-check-interval', kind: 'STRING'],
    'healthyThreshold': [option: '--healthy-threshold', kind: 'INT'],
    'unhealthyThreshold': [option: '--unhealthy-threshold', kind: 'INT'],
    'deregistrationDelay': [option: '--deregistration-delay', kind: 'INT'],
    'certificateArn': [option: '--certificate-arn', kind: 'STRING'],
    'healthCheckGracePeriod': [option: '--health-check-grace-period', kind: 'INT'],
    'minHealthyPercent': [option: '--min-healthy-percent', kind: 'INT'],
    'maxPercent': [option: '--max-percent', kind: 'INT'],
    'circuitBreaker': [option: '--circuit-breaker', kind: 'NEGATABLE', negated: '--no-circuit-breaker'],
    'enableExecuteCommand': [option: '--enable-execute-command', kind: 'NEGATABLE', negated: '--no-enable-execute-command'],
    'propagateTags': [option: '--propagate-tags', kind: 'STRING'],
    'tag': [option: '--tag', kind: 'MAP'],
    'autoscalingMin': [option: '--autoscaling-min', kind: 'INT'],
    'autoscalingMax': [option: '--autoscaling-max', kind: 'INT'],
    'cpuTarget': [option: '--cpu-target', kind: 'STRING'],
    'memoryTarget': [option: '--memory-target', kind: 'STRING'],
    'requestsPerTarget': [option: '--requests-per-target', kind: 'STRING'],
    'scaleInCooldown': [option: '--scale-in-cooldown', kind: 'INT'],
    'scaleOutCooldown': [option: '--scale-out-cooldown', kind: 'INT'],
    'forceNewDeployment': [option: '--force-new-deployment', kind: 'BOOLEAN'],
    'wait': [option: '--wait', kind: 'NEGATABLE', negated: '--no-wait'],
    'timeout': [option: '--timeout', kind: 'STRING'],
    'logLines': [option: '--log-lines', kind: 'INT'],
    'dryRun': [option: '--dry-run', kind: 'BOOLEAN'],
    'region': [option: '--region', kind: 'STRING', common: true],
    'profile': [option: '--profile', kind: 'STRING', common: true],
    'roleArn': [option: '--role-arn', kind: 'STRING', common: true],
    'externalId': [option: '--external-id', kind: 'STRING', common: true],
    'roleSessionName': [option: '--role-session-name', kind: 'STRING', common: true],
    'endpointUrl': [option: '--endpoint-url', kind: 'STRING', common: true],
    'verbose': [option: '--verbose', kind: 'COUNT', common: true],
    'quiet': [option: '--quiet', kind: 'BOOLEAN', common: true],
  ]
}
