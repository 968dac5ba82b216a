// GENERATED from the options of `berth ecs-force-redeploy` by src/test/java/dev/berth/jenkins/VarsGenerator.java:
// do not edit. When the CLI options change, regenerate with
//   mvn -o -q -B test -Dtest=VarsInSyncTest -Dberth.regenerate=true

/**
 * ecsForceRedeploy(key: value, ...): runs `berth ecs-force-redeploy` on this agent and returns its result as a Map.
 * Keys, types and defaults: vars/ecsForceRedeploy.txt (Pipeline Syntax > Global Variables).
 */
def call(Map args = [:]) {
  return berth.runStep('ecsForceRedeploy', 'ecs-force-redeploy', keys(), args)
}

/** The keys of ecsForceRedeploy: the options of `berth ecs-force-redeploy` (see berth.runStep for the kinds). */
Map keys() {
  return [
    'cluster': [option: '--cluster', kind: 'STRING', required: true],
    'service': [option: '--service', kind: 'STRING', required: true],
    'image': [option: '--image', kind: 'MAP'],
    'rollback': [option: '--rollback', kind: 'BOOLEAN'],
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
