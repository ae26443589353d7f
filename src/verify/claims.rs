//! The GitHub claims a Fulcio certificate carries in its extensions (arc
//! `1.3.6.1.4.1.57264.1`), in the provider-neutral OIDs and the deprecated GitHub ones.
//!
//! Claims are only worth anything once the certificate chain has been verified; the adapter
//! fills this struct from the verified certificate.

use serde::Serialize;

use super::{Check, Failure};

/// The claims we render and match on. Every one is optional: a certificate issued to a
/// person carries none of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Claims {
    /// `.1.9`: the workflow that requested the certificate (the job workflow ref; for a
    /// reusable workflow, the called workflow).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_signer_uri: Option<String>,
    /// `.1.10`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_signer_digest: Option<String>,
    /// `.1.11`: `github-hosted` or `self-hosted`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runner_environment: Option<String>,
    /// `.1.12`: `https://github.com/OWNER/REPO`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_repository_uri: Option<String>,
    /// `.1.13`: the commit built.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_repository_digest: Option<String>,
    /// `.1.14`: the ref built.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_repository_ref: Option<String>,
    /// `.1.18`: the top-level workflow that ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_config_uri: Option<String>,
    /// `.1.20`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_trigger: Option<String>,
    /// `.1.21`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_invocation_uri: Option<String>,
    /// The deprecated `.1.2`–`.1.6` extensions.
    #[serde(skip_serializing_if = "LegacyClaims::is_empty")]
    pub legacy: LegacyClaims,
}

/// The deprecated GitHub-specific extensions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LegacyClaims {
    /// `.1.2`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_trigger: Option<String>,
    /// `.1.3`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_sha: Option<String>,
    /// `.1.4`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_name: Option<String>,
    /// `.1.5`: `OWNER/REPO`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_repository: Option<String>,
    /// `.1.6`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_ref: Option<String>,
}

impl LegacyClaims {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// `OWNER/REPO` from `https://github.com/OWNER/REPO[/...]` (any host).
pub fn repository_of(uri: &str) -> Option<String> {
    let rest = uri
        .strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"))?;
    let mut parts = rest.splitn(4, '/');
    let _host = parts.next()?;
    let owner = parts.next().filter(|s| !s.is_empty())?;
    let repo = parts.next().filter(|s| !s.is_empty())?;
    let repo = repo.split('@').next().unwrap_or(repo);
    Some(format!("{owner}/{repo}"))
}

impl Claims {
    /// `OWNER/REPO` the certificate says the source came from (new OID first).
    pub fn source_repository(&self) -> Option<String> {
        self.source_repository_uri
            .as_deref()
            .and_then(repository_of)
            .or_else(|| self.legacy.workflow_repository.clone())
    }

    pub fn source_ref(&self) -> Option<&str> {
        self.source_repository_ref
            .as_deref()
            .or(self.legacy.workflow_ref.as_deref())
    }

    pub fn source_digest(&self) -> Option<&str> {
        self.source_repository_digest
            .as_deref()
            .or(self.legacy.workflow_sha.as_deref())
    }

    /// `OWNER/REPO` of the workflow that signed (differs from the source for reusable
    /// workflows).
    pub fn signer_repository(&self) -> Option<String> {
        self.build_signer_uri.as_deref().and_then(repository_of)
    }

    /// Where the new and the deprecated extensions both say something, they must agree: a
    /// certificate whose claims contradict each other is not trusted for either.
    pub fn check_consistency(&self) -> Result<(), Failure> {
        let l = &self.legacy;
        let new_repo = self
            .source_repository_uri
            .as_deref()
            .and_then(repository_of);
        let pairs: [(&str, Option<&str>, &str, Option<&str>); 4] = [
            (
                "1.3.6.1.4.1.57264.1.5 (workflow repository)",
                l.workflow_repository.as_deref(),
                "1.3.6.1.4.1.57264.1.12 (source repository)",
                new_repo.as_deref(),
            ),
            (
                "1.3.6.1.4.1.57264.1.6 (workflow ref)",
                l.workflow_ref.as_deref(),
                "1.3.6.1.4.1.57264.1.14 (source ref)",
                self.source_repository_ref.as_deref(),
            ),
            (
                "1.3.6.1.4.1.57264.1.3 (workflow sha)",
                l.workflow_sha.as_deref(),
                "1.3.6.1.4.1.57264.1.13 (source digest)",
                self.source_repository_digest.as_deref(),
            ),
            (
                "1.3.6.1.4.1.57264.1.2 (workflow trigger)",
                l.workflow_trigger.as_deref(),
                "1.3.6.1.4.1.57264.1.20 (build trigger)",
                self.build_trigger.as_deref(),
            ),
        ];
        for (old_name, old, new_name, new) in pairs {
            if let (Some(old), Some(new)) = (old, new)
                && !old.eq_ignore_ascii_case(new)
            {
                return Err(Failure::new(
                    Check::CertificateClaims,
                    format!(
                        "certificate extensions disagree: legacy {old_name} is {old} but {new_name} is {new}"
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn github() -> Claims {
        Claims {
            build_signer_uri: Some(
                "https://github.com/org/shared/.github/workflows/attest.yml@refs/heads/main".into(),
            ),
            source_repository_uri: Some("https://github.com/octo/app".into()),
            source_repository_ref: Some("refs/heads/main".into()),
            source_repository_digest: Some("abc123".into()),
            build_trigger: Some("push".into()),
            legacy: LegacyClaims {
                workflow_repository: Some("octo/app".into()),
                workflow_ref: Some("refs/heads/main".into()),
                workflow_sha: Some("abc123".into()),
                workflow_trigger: Some("push".into()),
                workflow_name: Some("release".into()),
            },
            ..Claims::default()
        }
    }

    #[test]
    fn repositories_from_uris() {
        let c = github();
        assert_eq!(c.source_repository().as_deref(), Some("octo/app"));
        assert_eq!(c.signer_repository().as_deref(), Some("org/shared"));
        assert_eq!(repository_of("https://github.com/a"), None);
        assert_eq!(repository_of("github.com/a/b"), None);
        assert_eq!(
            repository_of("https://github.com/a/b@x").as_deref(),
            Some("a/b")
        );
    }

    #[test]
    fn agreeing_oids_pass_and_disagreeing_ones_fail() {
        assert!(github().check_consistency().is_ok());
        let mut c = github();
        c.legacy.workflow_repository = Some("evil/app".into());
        let f = c.check_consistency().err();
        assert_eq!(f.as_ref().map(|f| f.check), Some(Check::CertificateClaims));
        assert!(f.is_some_and(|f| f.reason.contains("evil/app") && f.reason.contains("octo/app")));
        let mut c = github();
        c.legacy.workflow_ref = Some("refs/heads/dev".into());
        assert!(c.check_consistency().is_err());
        let mut c = github();
        c.source_repository_digest = Some("def".into());
        assert!(c.check_consistency().is_err());
        // Only one side present: nothing to compare.
        let mut c = github();
        c.legacy = LegacyClaims::default();
        assert!(c.check_consistency().is_ok());
    }
}
