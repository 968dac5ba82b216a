// withBerth(key: value, ...) { ... }: defaults for every berth step called in the block, so the credentials and
// the region are said once per pipeline (or stage) instead of on every call. A key given on a call wins; a call
// that names its own credentials (credentialsId, credentialsFileId, configFileId or profile) takes none of the
// defaults' credentials. Blocks nest: an inner block's keys override the outer's, a null or '' value clears one.
//
// Each key is also an environment variable, BERTH_ and the key in upper snake case (region: is BERTH_REGION,
// credentialsId: is BERTH_CREDENTIALS_ID): withBerth sets them with withEnv for its block, and the same defaults
// can come from environment { } of a pipeline, a folder's or the controller's environment variables, or an agent.

def call(Map defaults, Closure body) {
  List problems = berth.defaultsProblems(defaults == null ? [:] : defaults)
  if (problems) {
    error('withBerth: ' + problems.join('; '))
  }
  return withEnv(berth.defaultsEnvironment(defaults)) {
    return body()
  }
}
