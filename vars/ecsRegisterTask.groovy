// GENERATED from the options of `berth ecs-register-task` by src/test/java/dev/berth/jenkins/VarsGenerator.java:
// do not edit. When the CLI options change, regenerate with
//   mvn -o -q -B test -Dtest=VarsInSyncTest -Dberth.regenerate=true

/**
 * ecsRegisterTask(key: value, ...): runs `berth ecs-register-task` on this agent and returns its result as a Map.
 * Keys, types and defaults: vars/ecsRegisterTask.txt (Pipeline Syntax > Global Variables).
 */
def call(Map args = [:]) {
  return berth.runStep('ecsRegisterTask', 'ecs-register-task', keys(), args)
}

/** The keys of ecsRegisterTask: the options of `berth ecs-register-task` (see berth.runStep for the kinds). */
Map keys() {
  return [
    'file': [option: '--file', kind: 'STRING'],
    'family': [option: '--family', kind: 'STRING'],
    'containerName': [option: '--container-name', kind: 'STRING'],
    'image': [option: '--image', kind: 'STRING'],
    'cpu': [option: '--cpu', kind: 'STRING'],
    'memory': [option: '--memory', kind: 'STRING'],
    'containerMemory': [option: '--container-memory', kind: 'INT'],
    'containerMemoryReservation': [option: '--container-memory-reservation', kind: 'INT'],
    'port': [option: '--port', kind: 'LIST'],
    'env': [option: '--env', kind: 'MAP'],
    'secret': [option: '--secret', kind: 'MAP'],
    'volume': [option: '--volume', kind: 'LIST'],
    'efsVolume': [option: '--efs-volume', kind: 'MAP'],
    'mount': [option: '--mount', kind: 'LIST'],
    'executionRoleArn': [option: '--execution-role-arn', kind: 'STRING'],
    'createRoles': [option: '--create-roles', kind: 'NEGATABLE', negated: '--no-create-roles'],
    'taskRoleArn': [option: '--task-role-arn', kind: 'STRING'],
    'logGroup': [option: '--log-group', kind: 'STRING'],
    'logs': [option: '--logs', kind: 'NEGATABLE', negated: '--no-logs'],
    'cpuArchitecture': [option: '--cpu-architecture', kind: 'STRING'],
    'healthCheck': [option: '--health-check', kind: 'STRING'],
    'healthCheckInterval': [option: '--health-check-interval', kind: 'STRING'],
    'healthCheckTimeout': [option: '--health-check-timeout', kind: 'STRING'],
    'healthCheckRetries': [option: '--health-check-retries', kind: 'INT'],
    'healthCheckStartPeriod': [option: '--health-check-start-period', kind: 'STRING'],
    'keepRevisions': [option: '--keep-revisions', kind: 'INT'],
    'timeout': [option: '--timeout', kind: 'STRING'],
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
