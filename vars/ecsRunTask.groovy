// GENERATED from the options of `berth ecs-run-task` by src/test/java/dev/berth/jenkins/VarsGenerator.java:
// do not edit. When the CLI options change, regenerate with
//   mvn -o -q -B test -Dtest=VarsInSyncTest -Dberth.regenerate=true

/**
 * ecsRunTask(key: value, ...): runs `berth ecs-run-task` on this agent and returns its result as a Map.
 * Keys, types and defaults: vars/ecsRunTask.txt (Pipeline Syntax > Global Variables).
 */
def call(Map args = [:]) {
  return berth.runStep('ecsRunTask', 'ecs-run-task', keys(), args)
}

/** The keys of ecsRunTask: the options of `berth ecs-run-task` (see berth.runStep for the kinds). */
Map keys() {
  return [
    'cluster': [option: '--cluster', kind: 'STRING', required: true],
    'service': [option: '--service', kind: 'STRING'],
    'taskDefinition': [option: '--task-definition', kind: 'STRING'],
    'subnets': [option: '--subnets', kind: 'CSV', split: ','],
    'securityGroups': [option: '--security-groups', kind: 'CSV', split: ','],
    'assignPublicIp': [option: '--assign-public-ip', kind: 'NEGATABLE', negated: '--no-assign-public-ip'],
    'container': [option: '--container', kind: 'STRING'],
    'command': [option: '--command', kind: 'STRING'],
    'env': [option: '--env', kind: 'MAP'],
    'startedBy': [option: '--started-by', kind: 'STRING'],
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
