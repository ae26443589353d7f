//! The build environment an SBOM records: tool, runner, Python targeted, source.

/// Facts about where and how the SBOM was made; `None` means not known (never invented).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildInfo {
    pub tool_name: &'static str,
    pub tool_version: &'static str,
    /// The Python version whose environment markers were evaluated.
    pub python_version: Option<String>,
    /// `sys_platform`/`platform_machine` of that Python.
    pub python_platform: Option<String>,
    pub runner_os: String,
    pub runner_arch: String,
    /// `https://github.com/owner/repo`.
    pub repository: Option<String>,
    pub commit: Option<String>,
    pub git_ref: Option<String>,
}

impl BuildInfo {
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> BuildInfo {
        let get = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        let (repository, commit, git_ref) =
            match (get("GITHUB_SERVER_URL"), get("GITHUB_REPOSITORY")) {
                (Some(server), Some(repo)) => (
                    Some(format!("{}/{repo}", server.trim_end_matches('/'))),
                    get("GITHUB_SHA"),
                    get("GITHUB_REF"),
                ),
                _ => {
                    let local = crate::github::context::LocalContext::from_git();
                    (local.repository_url, local.sha, local.git_ref)
                }
            };
        BuildInfo {
            tool_name: "attest-kit",
            tool_version: env!("CARGO_PKG_VERSION"),
            python_version: None,
            python_platform: None,
            runner_os: get("RUNNER_OS").unwrap_or_else(|| std::env::consts::OS.to_owned()),
            runner_arch: get("RUNNER_ARCH").unwrap_or_else(|| std::env::consts::ARCH.to_owned()),
            repository,
            commit,
            git_ref,
        }
    }

    /// Name → value pairs, in a fixed order, for annotations and properties.
    pub fn facts(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![
            (
                "attest-kit:build:tool",
                format!("{} {}", self.tool_name, self.tool_version),
            ),
            ("attest-kit:build:runner-os", self.runner_os.clone()),
            ("attest-kit:build:runner-arch", self.runner_arch.clone()),
        ];
        let opt = [
            ("attest-kit:build:python-version", &self.python_version),
            ("attest-kit:build:python-platform", &self.python_platform),
            ("attest-kit:build:source-repository", &self.repository),
            ("attest-kit:build:source-commit", &self.commit),
            ("attest-kit:build:source-ref", &self.git_ref),
        ];
        for (k, v) in opt {
            if let Some(v) = v {
                out.push((k, v.clone()));
            }
        }
        out
    }
}
