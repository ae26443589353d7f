//! `push-to-github`: stores each signed attestation bundle `attest` wrote with GitHub's
//! attestations API (`POST /repos/{owner}/{repo}/attestations`).

use serde_json::Value;

use crate::action::Console;
use crate::config::AttestConfig;
use crate::error::Error;
use crate::report::{AttestReport, FileKind};

/// What was stored: one id and URL per bundle, in the order written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushReport {
    pub repository: String,
    pub ids: Vec<u64>,
    pub urls: Vec<String>,
}

pub fn run(
    config: &AttestConfig,
    report: &AttestReport,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
) -> Result<PushReport, Error> {
    let repo = env("GITHUB_REPOSITORY")
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| crate::config::ConfigError::Invalid {
            input: "push-to-github",
            reason: "GITHUB_REPOSITORY is not set: push-to-github stores attestations for the workflow's repository".to_owned(),
        })?;
    crate::release::check_repo(&repo).map_err(|reason| crate::config::ConfigError::Invalid {
        input: "push-to-github",
        reason,
    })?;
    let server = env("GITHUB_SERVER_URL")
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "https://github.com".to_owned());
    let mut bundles: Vec<(String, Value)> = Vec::new();
    for f in report
        .files
        .iter()
        .filter(|f| f.kind == FileKind::AttestationBundle)
    {
        let text = crate::input_file::read_text(&f.path, crate::input_file::WRITTEN_FILE).map_err(
            |source| Error::Write {
                path: f.path.clone(),
                source,
            },
        )?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| Error::Runtime(format!("{} is not JSON: {e}", f.path.display())))?;
        bundles.push((crate::report::display_path(&f.path), value));
    }
    let client = super::verify_release::client(config.github_token.as_ref(), env, console)?;
    let ids = super::verify_release::runtime()?.block_on(async {
        let mut ids = Vec::new();
        for (path, b) in &bundles {
            let id = client.create_attestation(&repo, b).await?;
            console.info(&format!("stored {path} as attestation {id} in {repo}"));
            ids.push(id);
        }
        Ok::<_, Error>(ids)
    })?;
    let urls = ids
        .iter()
        .map(|id| format!("{}/{repo}/attestations/{id}", server.trim_end_matches('/')))
        .collect();
    Ok(PushReport {
        repository: repo,
        ids,
        urls,
    })
}
