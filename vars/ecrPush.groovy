// GENERATED from the options of `berth ecr-push` by src/test/java/dev/berth/jenkins/VarsGenerator.java:
// do not edit. When the CLI options change, regenerate with
//   mvn -o -q -B test -Dtest=VarsInSyncTest -Dberth.regenerate=true

/**
 * ecrPush(key: value, ...): runs `berth ecr-push` on this agent and returns its result as a Map.
 * Keys, types and defaults: vars/ecrPush.txt (Pipeline Syntax > Global Variables).
 */
def call(Map args = [:]) {
  return berth.runStep('ecrPush', 'ecr-push', keys(), args)
}

/** The keys of ecrPush: the options of `berth ecr-push` (see berth.runStep for the kinds). */
Map keys() {
  return [
    'repository': [option: '--repository', kind: 'STRING', required: true],
    'tag': [option: '--tag', kind: 'LIST'],
    'image': [option: '--image', kind: 'STRING'],
    'ociLayout': [option: '--oci-layout', kind: 'STRING'],
    'ociLayoutRef': [option: '--oci-layout-ref', kind: 'STRING'],
    'dockerfile': [option: '--dockerfile', kind: 'STRING'],
    'context': [option: '--context', kind: 'STRING'],
    'buildArg': [option: '--build-arg', kind: 'MAP'],
    'tar': [option: '--tar', kind: 'STRING'],
    'dockerDaemon': [option: '--docker-daemon', kind: 'STRING'],
    'registryId': [option: '--registry-id', kind: 'STRING'],
    'mutableTags': [option: '--mutable-tags', kind: 'BOOLEAN'],
    'keepImages': [option: '--keep-images', kind: 'INT'],
    'registryEndpoint': [option: '--registry-endpoint', kind: 'STRING'],
    'sourceUsername': [option: '--source-username', kind: 'STRING'],
    'parallel': [option: '--parallel', kind: 'INT'],
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
