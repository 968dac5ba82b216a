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
