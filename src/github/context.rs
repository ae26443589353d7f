//! A typed snapshot of the runner's `GITHUB_*` / `RUNNER_*` variables: what provenance says
//! about the build.

use std::process::Command;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ContextError {
    /// Usually means the command runs outside GitHub Actions.
    #[error(
        "missing GitHub Actions variables: {}; run inside GitHub Actions, or pass --allow-local to record a local build",
        .0.join(", ")
    )]
    Missing(Vec<&'static str>),
    #[error("invalid {name}={value:?}: {reason}")]
    Invalid {
        name: &'static str,
        value: String,
        reason: &'static str,
    },
}

/// The facts of a GitHub Actions run that provenance records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GithubContext {
    /// `https://github.com`, or a GHES / GHE.com server.
    pub server_url: String,
    /// `owner/name`.
    pub repository: String,
    pub repository_id: String,
    pub repository_owner_id: String,
    /// `refs/heads/main`, `refs/tags/v1.0.0`, ...
    pub git_ref: String,
    /// The commit built.
    pub sha: String,
    /// `owner/name/.github/workflows/release.yml@refs/heads/main`.
    pub workflow_ref: String,
    pub event_name: String,
    pub run_id: String,
    pub run_attempt: String,
    /// `github-hosted` or `self-hosted`.
    pub runner_environment: String,
}

/// Where a build ran: a GitHub workflow, or (only when asked) this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildContext {
    Github(GithubContext),
    Local(LocalContext),
}

/// What is known about a local build: only what git says, nothing made up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalContext {
    pub repository_url: Option<String>,
    pub git_ref: Option<String>,
    pub sha: Option<String>,
}

const REQUIRED: [&str; 11] = [
    "GITHUB_SERVER_URL",
    "GITHUB_REPOSITORY",
    "GITHUB_REPOSITORY_ID",
    "GITHUB_REPOSITORY_OWNER_ID",
    "GITHUB_REF",
    "GITHUB_SHA",
    "GITHUB_WORKFLOW_REF",
    "GITHUB_EVENT_NAME",
    "GITHUB_RUN_ID",
    "GITHUB_RUN_ATTEMPT",
    "RUNNER_ENVIRONMENT",
];

impl GithubContext {
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Self, ContextError> {
        let get = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        let missing: Vec<&'static str> =
            REQUIRED.into_iter().filter(|k| get(k).is_none()).collect();
        if !missing.is_empty() {
            return Err(ContextError::Missing(missing));
        }
        let v = |k: &str| get(k).unwrap_or_default();
        let ctx = GithubContext {
            server_url: v("GITHUB_SERVER_URL").trim_end_matches('/').to_owned(),
            repository: v("GITHUB_REPOSITORY"),
            repository_id: v("GITHUB_REPOSITORY_ID"),
            repository_owner_id: v("GITHUB_REPOSITORY_OWNER_ID"),
            git_ref: v("GITHUB_REF"),
            sha: v("GITHUB_SHA"),
            workflow_ref: v("GITHUB_WORKFLOW_REF"),
            event_name: v("GITHUB_EVENT_NAME"),
            run_id: v("GITHUB_RUN_ID"),
            run_attempt: v("GITHUB_RUN_ATTEMPT"),
            runner_environment: v("RUNNER_ENVIRONMENT"),
        };
        ctx.validate()?;
        Ok(ctx)
    }

    fn validate(&self) -> Result<(), ContextError> {
        let bad = |name, value: &str, reason| ContextError::Invalid {
            name,
            value: value.to_owned(),
            reason,
        };
        if !(self.server_url.starts_with("https://") || self.server_url.starts_with("http://"))
            || self.server_url.contains(char::is_whitespace)
        {
            return Err(bad(
                "GITHUB_SERVER_URL",
                &self.server_url,
                "expected an http(s) URL",
            ));
        }
        let parts: Vec<&str> = self.repository.split('/').collect();
        let name_ok = |s: &str| {
            !s.is_empty()
                && s != "."
                && s != ".."
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        };
        if parts.len() != 2 || !parts.iter().all(|p| name_ok(p)) {
            return Err(bad(
                "GITHUB_REPOSITORY",
                &self.repository,
                "expected owner/name",
            ));
        }
        let is_hex = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit());
        if !((self.sha.len() == 40 || self.sha.len() == 64) && is_hex(&self.sha)) {
            return Err(bad(
                "GITHUB_SHA",
                &self.sha,
                "expected a 40- or 64-character commit id",
            ));
        }
        for (name, value) in [
            ("GITHUB_REPOSITORY_ID", &self.repository_id),
            ("GITHUB_REPOSITORY_OWNER_ID", &self.repository_owner_id),
            ("GITHUB_RUN_ID", &self.run_id),
            ("GITHUB_RUN_ATTEMPT", &self.run_attempt),
        ] {
            if !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad(name, value, "expected a number"));
            }
        }
        if !self.git_ref.starts_with("refs/") {
            return Err(bad(
                "GITHUB_REF",
                &self.git_ref,
                "expected a full ref such as refs/heads/main",
            ));
        }
        if self.workflow_path().is_none() {
            return Err(bad(
                "GITHUB_WORKFLOW_REF",
                &self.workflow_ref,
                "expected owner/name/.github/workflows/FILE@REF for this repository",
            ));
        }
        for (name, value) in [
            ("GITHUB_EVENT_NAME", &self.event_name),
            ("RUNNER_ENVIRONMENT", &self.runner_environment),
            ("GITHUB_WORKFLOW_REF", &self.workflow_ref),
        ] {
            if value.chars().any(char::is_control) {
                return Err(bad(name, value, "contains control characters"));
            }
        }
        Ok(())
    }

    /// `.github/workflows/release.yml`, from the workflow ref.
    pub fn workflow_path(&self) -> Option<&str> {
        let rest = self
            .workflow_ref
            .strip_prefix(&self.repository)?
            .strip_prefix('/')?;
        let (path, _) = rest.split_once('@')?;
        (!path.is_empty()).then_some(path)
    }

    pub fn repository_url(&self) -> String {
        format!("{}/{}", self.server_url, self.repository)
    }
}

impl LocalContext {
    /// Reads the current git checkout, if there is one; every field is optional.
    pub fn from_git() -> Self {
        let git = |args: &[&str]| {
            Command::new("git")
                .args(args)
                .stderr(std::process::Stdio::null())
                .output()
                .ok()
                .filter(|o| o.status.success())
                .and_then(|o| String::from_utf8(o.stdout).ok())
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        };
        LocalContext {
            repository_url: git(&["remote", "get-url", "origin"]).map(|u| strip_credentials(&u)),
            git_ref: git(&["symbolic-ref", "-q", "HEAD"]),
            sha: git(&["rev-parse", "HEAD"]),
        }
    }
}

/// Never record `https://user:token@host/...` credentials from a remote URL.
fn strip_credentials(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((userinfo, host)) if !userinfo.contains('/') => format!("{scheme}://{host}"),
            _ => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    pub(crate) fn sample_env() -> HashMap<&'static str, String> {
        HashMap::from([
            ("GITHUB_SERVER_URL", "https://github.com".to_owned()),
            ("GITHUB_REPOSITORY", "octo-org/pulse-py".to_owned()),
            ("GITHUB_REPOSITORY_ID", "123".to_owned()),
            ("GITHUB_REPOSITORY_OWNER_ID", "456".to_owned()),
            ("GITHUB_REF", "refs/tags/v1.0.0".to_owned()),
            ("GITHUB_SHA", "a".repeat(40)),
            (
                "GITHUB_WORKFLOW_REF",
                "octo-org/pulse-py/.github/workflows/publish.yml@refs/tags/v1.0.0".to_owned(),
            ),
            ("GITHUB_EVENT_NAME", "push".to_owned()),
            ("GITHUB_RUN_ID", "42".to_owned()),
            ("GITHUB_RUN_ATTEMPT", "1".to_owned()),
            ("RUNNER_ENVIRONMENT", "github-hosted".to_owned()),
        ])
    }

    #[test]
    fn reads_a_complete_environment() -> Result<(), ContextError> {
        let env = sample_env();
        let ctx = GithubContext::from_env(&|k| env.get(k).cloned())?;
        assert_eq!(ctx.workflow_path(), Some(".github/workflows/publish.yml"));
        assert_eq!(ctx.repository_url(), "https://github.com/octo-org/pulse-py");
        Ok(())
    }

    #[test]
    fn lists_every_missing_variable() {
        let mut env = sample_env();
        env.remove("GITHUB_WORKFLOW_REF");
        env.insert("RUNNER_ENVIRONMENT", "  ".to_owned());
        assert_eq!(
            GithubContext::from_env(&|k| env.get(k).cloned()),
            Err(ContextError::Missing(vec![
                "GITHUB_WORKFLOW_REF",
                "RUNNER_ENVIRONMENT"
            ]))
        );
    }

    #[test]
    fn rejects_inconsistent_values() {
        for (k, v) in [
            ("GITHUB_SHA", "xyz"),
            ("GITHUB_REPOSITORY", "no-slash"),
            ("GITHUB_REPOSITORY", "a/b/c"),
            (
                "GITHUB_WORKFLOW_REF",
                "other/repo/.github/workflows/x.yml@refs/heads/main",
            ),
            ("GITHUB_RUN_ID", "12a"),
            ("GITHUB_REF", "main"),
            ("GITHUB_SERVER_URL", "javascript:alert(1)"),
        ] {
            let mut env = sample_env();
            env.insert(k, v.to_owned());
            assert!(
                matches!(
                    GithubContext::from_env(&|k| env.get(k).cloned()),
                    Err(ContextError::Invalid { .. })
                ),
                "{k}={v} accepted"
            );
        }
    }

    #[test]
    fn remote_credentials_are_dropped() {
        assert_eq!(
            strip_credentials("https://x-access-token:ghs_abc@github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(
            strip_credentials("git@github.com:o/r.git"),
            "git@github.com:o/r.git"
        );
    }
}
