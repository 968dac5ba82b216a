// The launcher the five berth steps share (ecrPush, ecsRegisterTask, ecsDeployService, ecsScale,
// ecsForceRedeploy). Each step var is generated from the CLI's options and calls berth.runStep(...).
//
// Groovy 2.4 and CPS-safe: everything that loops, parses or builds strings is @NonCPS and calls no step;
// the steps (sh, withEnv, withCredentials, writeFile, readFile, ...) are called from CPS code only.
//
// Secrets never appear in the sh script text: the script is the constant  sh "$BERTH_LAUNCHER"  and every
// argument travels as an environment variable (BERTH_ARGC, BERTH_ARG_1..n) that the launcher reads verbatim;
// credentials are bound with withCredentials for the duration of the step only.

import com.cloudbees.groovy.cps.NonCPS
import groovy.json.JsonSlurper

/** berth() alone is not a step: it names the five. */
def call(Map args = [:]) {
  error('berth is the launcher of the berth steps: call ecrPush, ecsRegisterTask, ecsDeployService, ecsScale '
      + 'or ecsForceRedeploy (see their help under Pipeline Syntax > Global Variables Reference)')
}

/**
 * Runs `berth COMMAND` for the step var STEP with the named arguments ARGS, checked against KEYS (the var's
 * generated key table: key -> [option, kind, required, negated, split, choices]); returns the result JSON
 * object as a Map, or fails the build with error("STEP failed: REASON").
 */
Map runStep(String step, String command, Map keys, Map args) {
  Map given = withDefaults(step, keys, args == null ? [:] : args, defaultsFrom(env))
  Map plan = plan(step, command, keys, given, env.JOB_NAME, env.BUILD_NUMBER)
  if (plan.problems) {
    error(step + ': ' + plan.problems.join('; '))
  }
  if (!isUnix()) {
    error(step + ': berth runs on Unix agents (a shell and Java 17+); this agent is Windows')
  }
  String dir = pwd(tmp: true) + '/berth'
  String launcher = dir + '/berth.sh'
  String resultFile = dir + '/' + step + '-' + UUID.randomUUID().toString() + '.json'
  if (env.BERTH_RESULT_DIR) {
    resultFile = keptResultFile(String.valueOf(env.BERTH_RESULT_DIR),
        plan.argv.contains('--dry-run') ? command + '-dry-run' : command)
  }
  writeFile(file: launcher, text: libraryResource('dev/berth/berth.sh'), encoding: 'UTF-8')
  // the release this library version names (version, asset URL, SHA-256), read by the launcher beside it
  writeFile(file: dir + '/release.properties', text: libraryResource('dev/berth/release.properties'), encoding: 'UTF-8')
  List environment = launchEnvironment(launcher, plan.argv, resultFile, plan.env)
  int status = withEnv(environment) {
    List bindings = credentialBindings(plan.credentials)
    if (bindings.isEmpty()) {
      return launch(command)
    }
    return withCredentials(bindings) {
      return launch(command)
    }
  }
  Map result = null
  if (fileExists(resultFile)) {
    String text = readFile(file: resultFile, encoding: 'UTF-8')
    result = text.trim().isEmpty() ? null : parseResult(text)
  }
  if (status != 0) {
    error(step + ' failed: ' + failureReason(status, result))
  }
  if (result == null) {
    error(step + ' failed: berth exited 0 but wrote no result to ' + resultFile)
  }
  return result
}

/**
 * With BERTH_RESULT_DIR set (a folder, relative to the workspace), the step's result file is kept there for
 * archiveArtifacts: COMMAND.json (COMMAND-dry-run.json for a dry run), or COMMAND-2.json, -3, ... when the step
 * already ran in this workspace. The file is reserved (empty) before the step runs; the runner fills it,
 * failures included.
 */
String keptResultFile(String folder, String command) {
  String base = (folder.startsWith('/') ? folder : pwd() + '/' + folder) + '/' + command
  String candidate = base + '.json'
  int n = 1
  while (fileExists(candidate)) {
    n++
    candidate = base + '-' + n + '.json'
  }
  writeFile(file: candidate, text: '', encoding: 'UTF-8')
  return candidate
}

/** A result file a step wrote (kept with BERTH_RESULT_DIR, or copied from another build) as a Map. */
Map readResult(String file) {
  String text = readFile(file: file, encoding: 'UTF-8')
  if (text.trim().isEmpty()) {
    error('berth.readResult: ' + file + ' is empty (the step that should have written it did not run to the end)')
  }
  return parseResult(text)
}

/** The one sh call: constant text, so nothing a user passes (or a secret) can end up in it. */
int launch(String command) {
  return sh(script: 'sh "$BERTH_LAUNCHER"', returnStatus: true, label: 'berth ' + command)
}

/** withCredentials bindings for the plan's credentials (credentialsId, credentialsFileId, configFileId). */
List credentialBindings(Map credentials) {
  List bindings = []
  if (credentials.aws) {
    bindings.add(aws(credentialsId: credentials.aws, accessKeyVariable: 'AWS_ACCESS_KEY_ID',
        secretKeyVariable: 'AWS_SECRET_ACCESS_KEY'))
  }
  if (credentials.credentialsFile) {
    bindings.add(file(credentialsId: credentials.credentialsFile, variable: 'AWS_SHARED_CREDENTIALS_FILE'))
  }
  if (credentials.configFile) {
    bindings.add(file(credentialsId: credentials.configFile, variable: 'AWS_CONFIG_FILE'))
  }
  if (credentials.source) {
    bindings.add(usernamePassword(credentialsId: credentials.source, usernameVariable: 'BERTH_SOURCE_USERNAME',
        passwordVariable: 'BERTH_SOURCE_PASSWORD'))
  }
  return bindings
}

/**
 * Keys that withBerth { } (or the environment) can give every step in its block, each with its environment
 * variable: BERTH_ and the key in upper snake case (region: is BERTH_REGION, credentialsId: BERTH_CREDENTIALS_ID).
 */
@NonCPS
Map defaultKeys() {
  Map m = [:]
  for (String key : ['credentialsId', 'credentialsFileId', 'configFileId', 'profile', 'roleArn', 'externalId',
                     'roleSessionName', 'region', 'endpointUrl', 'berthJar']) {
    m.put(key, 'BERTH_' + key.replaceAll('([A-Z])', '_$1').toUpperCase())
  }
  return m
}

/** The keys that pick the AWS credentials: a call that gives one of them takes no credentials default. */
@NonCPS
List credentialKeys() {
  return ['credentialsId', 'credentialsFileId', 'configFileId', 'profile']
}

/** The defaults the environment gives (withBerth sets them; so can environment { } or the agent). */
@NonCPS
Map defaultsFrom(Object environment) {
  Map defaults = [:]
  for (Object e : defaultKeys().entrySet()) {
    Object value = environment == null ? null : environment.getProperty(String.valueOf(e.value))
    if (value != null && !String.valueOf(value).isEmpty()) {
      defaults.put(e.key, String.valueOf(value))
    }
  }
  return defaults
}

/**
 * ARGS with DEFAULTS filled in for the keys the call does not give (null or '' counts as not given). The
 * credentials are taken as a whole: a call that names its own (credentialsId, credentialsFileId, configFileId
 * or profile) takes none of the defaults' credentials.
 */
@NonCPS
Map withDefaults(String step, Map keys, Map args, Map defaults) {
  Map merged = [:]
  merged.putAll(args)
  boolean ownCredentials = false
  for (Object k : credentialKeys()) {
    ownCredentials = ownCredentials || !absent(args.get(k))
  }
  for (Object e : defaults.entrySet()) {
    String key = String.valueOf(e.key)
    boolean known = keys.containsKey(key) || libraryKeys(step).containsKey(key)
    if (!known || !absent(args.get(key)) || (ownCredentials && credentialKeys().contains(key))) {
      continue
    }
    merged.put(key, e.value)
  }
  return merged
}

/** withBerth's check of its defaults: known keys, strings. */
@NonCPS
List defaultsProblems(Map defaults) {
  List problems = []
  List known = new ArrayList(defaultKeys().keySet())
  for (Object e : defaults.entrySet()) {
    String key = String.valueOf(e.key)
    if (!known.contains(key)) {
      String near = closest(key, known)
      problems.add("unknown key '" + key + "'" + (near == null ? '' : " (did you mean '" + near + "'?)"))
    } else if (e.value != null && !(e.value instanceof CharSequence)) {
      problems.add("key '" + key + "' takes a String, got " + describe(e.value))
    }
  }
  return problems
}

/** withEnv's list for withBerth's DEFAULTS: BERTH_<KEY>=value; a null or '' value clears an outer default. */
@NonCPS
List defaultsEnvironment(Map defaults) {
  List environment = []
  Map names = defaultKeys()
  for (Object e : defaults.entrySet()) {
    environment.add(names.get(e.key) + '=' + (e.value == null ? '' : String.valueOf(e.value)))
  }
  return environment
}

/** Keys every step takes besides its CLI options (and, with a STEP, that step's own). */
@NonCPS
Map libraryKeys(String step = null) {
  Map keys = [
    credentialsId    : 'id of an AWS Credentials entry (bound as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)',
    credentialsFileId: 'id of a Secret file credential: an AWS shared credentials file (AWS_SHARED_CREDENTIALS_FILE)',
    configFileId     : 'id of a Secret file credential: an AWS config file (AWS_CONFIG_FILE)',
    berthJar         : 'path of the berth jar on the agent (default: BERTH_JAR, else the release this library version names, downloaded, verified and cached)',
  ]
  if (step == 'ecrPush') {
    keys.put('sourceCredentialsId', 'id of a Username with password credential for the --image registry '
        + '(bound as BERTH_SOURCE_USERNAME / BERTH_SOURCE_PASSWORD)')
  }
  return keys
}

/**
 * Checks ARGS against KEYS and turns them into the command line, the extra environment and the credentials to
 * bind. Returns [problems: [...], argv: [...], env: ['K=V', ...], credentials: [aws:, credentialsFile:, configFile:]].
 */
@NonCPS
Map plan(String step, String command, Map keys, Map args, Object jobName, Object buildNumber) {
  List problems = []
  Map library = libraryKeys(step)
  List known = new ArrayList(keys.keySet())
  known.addAll(library.keySet())
  for (Object k : args.keySet()) {
    String key = String.valueOf(k)
    if (!known.contains(key)) {
      String near = closest(key, known)
      problems.add("unknown key '" + key + "'" + (near == null ? '' : " (did you mean '" + near + "'?)"))
    }
  }
  List argv = [command]
  for (Object entry : keys.entrySet()) {
    String key = entry.key
    Map spec = entry.value
    Object value = args.get(key)
    if (absent(value)) {
      if (spec.required) {
        problems.add("missing required key '" + key + "' (" + spec.option + ')')
      }
      continue
    }
    String problem = addArguments(argv, key, spec, value)
    if (problem != null) {
      problems.add(problem)
    }
  }
  Map credentials = [:]
  List extraEnv = []
  for (String key : library.keySet()) {
    Object value = args.get(key)
    if (absent(value)) {
      continue
    }
    if (!(value instanceof CharSequence)) {
      problems.add("key '" + key + "' takes a String, got " + describe(value))
      continue
    }
    String text = value.toString()
    if (key == 'credentialsId') {
      credentials.aws = text
    } else if (key == 'credentialsFileId') {
      credentials.credentialsFile = text
    } else if (key == 'configFileId') {
      credentials.configFile = text
    } else if (key == 'berthJar') {
      extraEnv.add('BERTH_JAR=' + text)
    } else if (key == 'sourceCredentialsId') {
      credentials.source = text
    }
  }
  if (credentials.source && !absent(args.get('sourceUsername'))) {
    problems.add("sourceCredentialsId (user name and password) cannot be combined with sourceUsername: "
        + "the credential gives the user name")
  }
  if (credentials.aws && (credentials.credentialsFile || credentials.configFile || !absent(args.get('profile')))) {
    problems.add("credentialsId (AWS keys) cannot be combined with credentialsFileId, configFileId or profile: "
        + "pick one way to give credentials")
  }
  if (!absent(args.get('roleArn')) && absent(args.get('roleSessionName'))) {
    extraEnv.add('BERTH_ROLE_SESSION_NAME=' + sessionName(jobName, buildNumber))
  }
  return [problems: problems, argv: argv, env: extraEnv, credentials: credentials]
}

/**
 * Appends the arguments of one key; returns a problem or null. An option with a value is one word,
 * --name=value (as the GitHub Action passes it), so a value that starts with '-' or '@' stays a value.
 */
@NonCPS
String addArguments(List argv, String key, Map spec, Object value) {
  String option = spec.option
  String kind = spec.kind
  if (kind == 'BOOLEAN' || kind == 'NEGATABLE') {
    if (!(value instanceof Boolean)) {
      return "key '" + key + "' takes true or false, got " + describe(value)
    }
    if (value) {
      argv.add(option)
    } else if (kind == 'NEGATABLE') {
      argv.add(spec.negated)
    }
    return null
  }
  if (kind == 'COUNT') {
    if (value instanceof Boolean) {
      if (value) {
        argv.add(option)
      }
      return null
    }
    if (value instanceof Integer || value instanceof Long) {
      for (int i = 0; i < (value as long); i++) {
        argv.add(option)
      }
      return null
    }
    return "key '" + key + "' takes true, false or a number, got " + describe(value)
  }
  if (kind == 'LIST' || kind == 'CSV') {
    List items = []
    if (value instanceof Collection || value instanceof Object[]) {
      for (Object item : value) {
        if (!scalar(item)) {
          return "key '" + key + "' takes a list of strings, got an element " + describe(item)
        }
        items.add(String.valueOf(item))
      }
    } else if (scalar(value)) {
      items.add(String.valueOf(value))
    } else {
      return "key '" + key + "' takes a list of strings, got " + describe(value)
    }
    if (kind == 'CSV') {
      if (!items.isEmpty()) {
        argv.add(option + '=' + items.join(spec.split ?: ','))
      }
    } else {
      for (Object item : items) {
        argv.add(option + '=' + item)
      }
    }
    return null
  }
  if (kind == 'MAP') {
    List pairs = []
    if (value instanceof Map) {
      for (Object e : value.entrySet()) {
        if (!scalar(e.value) || String.valueOf(e.key).isEmpty()) {
          return "key '" + key + "' takes a map of names to strings, got " + (String.valueOf(e.key).isEmpty()
              ? 'an empty name' : String.valueOf(e.key)) + ': ' + describeHidden(e.value)
        }
        pairs.add(String.valueOf(e.key) + '=' + String.valueOf(e.value))
      }
    } else if (value instanceof Collection || value instanceof Object[]) {
      // a text here may be a secret value given without its name: its type is shown, never the text
      for (Object item : value) {
        if (!scalar(item) || !String.valueOf(item).contains('=')) {
          return "key '" + key + "' takes a map, or a list of 'K=V' strings, got an element " + describeHidden(item)
        }
        pairs.add(String.valueOf(item))
      }
    } else {
      return "key '" + key + "' takes a map (" + spec.option + ' K=V), got ' + describeHidden(value)
    }
    for (Object pair : pairs) {
      argv.add(option + '=' + pair)
    }
    return null
  }
  if (!scalar(value) || value instanceof Boolean) {
    return "key '" + key + "' takes one value, got " + describe(value)
  }
  String text = String.valueOf(value)
  if (kind == 'INT' && !(text ==~ /-?[0-9]+/)) {
    return "key '" + key + "' takes a whole number, got " + describe(value)
  }
  if (kind == 'CHOICE') {
    boolean ok = false
    for (Object c : spec.choices) {
      ok = ok || String.valueOf(c).equalsIgnoreCase(text)
    }
    if (!ok) {
      return "key '" + key + "' takes one of " + spec.choices.join(', ') + ', got ' + describe(value)
    }
  }
  argv.add(option + '=' + text)
  return null
}

/** The environment of the one sh call: the launcher, every argument (verbatim), and the plan's variables. */
@NonCPS
List launchEnvironment(String launcher, List argv, String resultFile, List extraEnv) {
  List all = new ArrayList(argv)
  all.add('--result-file=' + resultFile)
  List environment = ['BERTH_LAUNCHER=' + launcher, 'BERTH_ARGC=' + all.size()]
  for (int i = 0; i < all.size(); i++) {
    environment.add('BERTH_ARG_' + (i + 1) + '=' + all.get(i))
  }
  environment.addAll(extraEnv)
  return environment
}

@NonCPS
boolean absent(Object value) {
  return value == null || (value instanceof CharSequence && value.toString().isEmpty())
}

@NonCPS
boolean scalar(Object value) {
  return value instanceof CharSequence || value instanceof Number || value instanceof Boolean
}

/** Like describe, but a text or number is named by its type only: it may be a secret value. */
@NonCPS
String describeHidden(Object value) {
  if (value instanceof CharSequence) {
    return 'a text (not shown)'
  }
  if (value != null && scalar(value)) {
    return 'a ' + value.getClass().getSimpleName() + ' (not shown)'
  }
  return describe(value)
}

@NonCPS
String describe(Object value) {
  if (value == null) {
    return 'null'
  }
  if (value instanceof CharSequence) {
    return "'" + value + "'"
  }
  if (value instanceof Map) {
    return 'a Map'
  }
  if (value instanceof Collection || value instanceof Object[]) {
    return 'a List'
  }
  return value.getClass().getSimpleName() + ' ' + value
}

/** STS session name from the job and build: [\w+=,.@-], at most 64 characters, the build number kept. */
@NonCPS
String sessionName(Object jobName, Object buildNumber) {
  String job = (jobName == null ? 'jenkins' : String.valueOf(jobName)).replaceAll('[^A-Za-z0-9+=,.@_-]', '-')
  String build = buildNumber == null ? '0' : String.valueOf(buildNumber).replaceAll('[^A-Za-z0-9]', '')
  String suffix = '-' + build
  int room = 64 - suffix.length()
  if (job.length() > room) {
    job = job.substring(job.length() - room)
  }
  return job + suffix
}

/** The valid key nearest to KEY (edit distance, case-insensitive), or null when none is near. */
@NonCPS
String closest(String key, List candidates) {
  String best = null
  int bestDistance = Integer.MAX_VALUE
  for (Object c : candidates) {
    int d = distance(key.toLowerCase(), String.valueOf(c).toLowerCase())
    if (d < bestDistance) {
      bestDistance = d
      best = String.valueOf(c)
    }
  }
  return bestDistance <= Math.max(3, (int) (key.length() / 2)) ? best : null
}

@NonCPS
int distance(String a, String b) {
  int[] previous = new int[b.length() + 1]
  int[] current = new int[b.length() + 1]
  for (int j = 0; j <= b.length(); j++) {
    previous[j] = j
  }
  for (int i = 1; i <= a.length(); i++) {
    current[0] = i
    for (int j = 1; j <= b.length(); j++) {
      int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1
      current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost)
    }
    int[] t = previous
    previous = current
    current = t
  }
  return previous[b.length()]
}

/**
 * The result file's JSON object as plain, serializable LinkedHashMaps and ArrayLists. JsonSlurper, because a
 * sandboxed (folder-level) library may call it (script-security's generic whitelist) and not JsonSlurperClassic;
 * its lazy maps are not serializable, so the tree is copied before CPS code sees it.
 */
@NonCPS
Map parseResult(String text) {
  Object parsed = plain(new JsonSlurper().parseText(text))
  return parsed instanceof Map ? (Map) parsed : [value: parsed]
}

/** A parsed JSON value with every map and list copied into a LinkedHashMap or an ArrayList. */
@NonCPS
Object plain(Object value) {
  if (value instanceof Map) {
    Map copy = [:]
    for (Object e : value.entrySet()) {
      copy.put(e.key, plain(e.value))
    }
    return copy
  }
  if (value instanceof List) {
    List copy = []
    for (Object item : value) {
      copy.add(plain(item))
    }
    return copy
  }
  return value
}

/** "<reason>" for error("<step> failed: <reason>"): the result's error, with the verdict when there is one. */
@NonCPS
String failureReason(int status, Map result) {
  if (result == null) {
    String why = status == 2 ? 'usage error' : status == 127 ? 'the launcher or java was not found' : 'no result'
    return why + ' (exit code ' + status + '); see the step log above'
  }
  String reason = result.error ? String.valueOf(result.error) : 'exit code ' + status
  if (result.rolloutState && !reason.contains(String.valueOf(result.rolloutState))) {
    reason = 'rollout ' + result.rolloutState + ': ' + reason
  }
  if (result.violations instanceof List) {
    List details = []
    for (Object v : result.violations) {
      if (v instanceof Map && !v.warning) {
        String line = (v.where ? v.where + ': ' : '') + v.message
        if (!reason.contains(String.valueOf(v.message))) {
          details.add(line)
        }
      }
    }
    if (!details.isEmpty()) {
      reason = reason + ' (' + details.join('; ') + ')'
    }
  }
  return reason
}
