// Job DSL (job-dsl plugin) for a seed job: the folder 'gantt' with the berth library and the three sample jobs
// of this repository (docs/jenkins.md). Replace OWNER and the version. With the library registered globally
// instead, drop folderLibraries here.
String repo = 'https://github.com/OWNER/berth.git'
String version = 'v0.1.0'

folder('gantt') {
  properties {
    folderLibraries {
      libraries {
        libraryConfiguration {
          name('berth')
          defaultVersion(version)
          retriever {
            modernSCM {
              scm {
                git {
                  remote(repo)
                }
              }
            }
          }
        }
      }
    }
  }
}

[deploy: 'Jenkinsfile', promote: 'jenkins/promote.Jenkinsfile', rollback: 'jenkins/rollback.Jenkinsfile'].each { job, script ->
  pipelineJob("gantt/${job}") {
    definition {
      cpsScm {
        scm {
          git {
            remote {
              url(repo)
            }
            branch(version)
          }
        }
        scriptPath(script)
      }
    }
  }
}
