//! SLSA provenance against the certificate that signed it: a statement that claims another
//! repository, ref, commit or builder than its signer is rejected.
//!
//! Only claims present on both sides are compared (a certificate issued to a person carries
//! no GitHub claims); the policy, checked on the certificate, then covers the statement too.

use serde_json::Value;

use super::claims::{Claims, repository_of};
use super::{Check, Failure};

pub const PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";
pub const PROVENANCE_V02: &str = "https://slsa.dev/provenance/v0.2";
const HOSTED_RUNNER_BUILDER: &str = "https://github.com/actions/runner/";

fn disagree(what: &str, statement: &str, cert: &str) -> Failure {
    Failure::new(
        Check::Slsa,
        format!("provenance {what} {statement} does not match the certificate's {cert}"),
    )
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(k))?.as_str()
}

fn same_repo(statement_uri: &str, claims: &Claims) -> Result<(), Failure> {
    let (Some(stated), Some(signed)) = (
        repository_of(statement_uri.trim_start_matches("git+")),
        claims.source_repository(),
    ) else {
        return Ok(());
    };
    if stated.eq_ignore_ascii_case(&signed) {
        Ok(())
    } else {
        Err(disagree(
            "source repository",
            &stated,
            &format!("source repository {signed}"),
        ))
    }
}

fn same(what: &str, stated: Option<&str>, signed: Option<&str>) -> Result<(), Failure> {
    match (stated, signed) {
        (Some(a), Some(b)) if a != b => Err(disagree(what, a, &format!("{what} {b}"))),
        _ => Ok(()),
    }
}

fn builder(id: &str, claims: &Claims) -> Result<(), Failure> {
    if let Some(env) = id.strip_prefix(HOSTED_RUNNER_BUILDER) {
        return same(
            "runner environment",
            Some(env),
            claims.runner_environment.as_deref(),
        );
    }
    // attest-kit and the SLSA generator name the workflow that built as the builder.
    if id.contains("/.github/workflows/") {
        let signers = [
            claims.build_signer_uri.as_deref(),
            claims.build_config_uri.as_deref(),
        ];
        if signers.iter().all(Option::is_none) || signers.contains(&Some(id)) {
            return Ok(());
        }
        return Err(disagree(
            "builder id",
            id,
            &format!(
                "signer workflow {}",
                claims.build_signer_uri.as_deref().unwrap_or("(none)")
            ),
        ));
    }
    Ok(())
}

/// Checks a statement of a SLSA provenance predicate type; other statements pass.
pub fn check(statement: &Value, claims: &Claims) -> Result<(), Failure> {
    let Some(pred) = statement.get("predicate") else {
        return Ok(());
    };
    match statement.get("predicateType").and_then(Value::as_str) {
        Some(PROVENANCE_V1) => {
            let wf = ["buildDefinition", "externalParameters", "workflow"];
            let at = |k: &str| {
                let mut p = wf.to_vec();
                p.push(k);
                str_at(pred, &p).map(str::to_owned)
            };
            if let Some(repo) = at("repository") {
                same_repo(&repo, claims)?;
            }
            same("source ref", at("ref").as_deref(), claims.source_ref())?;
            let commit = pred
                .pointer("/buildDefinition/resolvedDependencies/0/digest/gitCommit")
                .and_then(Value::as_str);
            same("source digest", commit, claims.source_digest())?;
            if let Some(id) = str_at(pred, &["runDetails", "builder", "id"]) {
                builder(id, claims)?;
            }
        }
        Some(PROVENANCE_V02) => {
            if let Some(uri) = str_at(pred, &["invocation", "configSource", "uri"]) {
                let (repo, git_ref) = uri.split_once('@').unwrap_or((uri, ""));
                same_repo(repo, claims)?;
                if !git_ref.is_empty() {
                    same("source ref", Some(git_ref), claims.source_ref())?;
                }
            }
            let commit = str_at(pred, &["invocation", "configSource", "digest", "sha1"]);
            same("source digest", commit, claims.source_digest())?;
            if let Some(id) = str_at(pred, &["builder", "id"]) {
                builder(id, claims)?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims() -> Claims {
        Claims {
            build_signer_uri: Some(
                "https://github.com/octo/app/.github/workflows/rel.yml@refs/heads/main".into(),
            ),
            source_repository_uri: Some("https://github.com/octo/app".into()),
            source_repository_ref: Some("refs/heads/main".into()),
            source_repository_digest: Some("abc".into()),
            runner_environment: Some("github-hosted".into()),
            ..Default::default()
        }
    }

    fn v1(repo: &str, r: &str, commit: &str, builder: &str) -> Value {
        json!({"predicateType": PROVENANCE_V1, "predicate": {
            "buildDefinition": {"externalParameters": {"workflow": {"repository": repo, "ref": r}},
                "resolvedDependencies": [{"uri": "git+x", "digest": {"gitCommit": commit}}]},
            "runDetails": {"builder": {"id": builder}}}})
    }

    #[test]
    fn agreeing_provenance_passes() {
        let ok = v1(
            "https://github.com/octo/app",
            "refs/heads/main",
            "abc",
            "https://github.com/actions/runner/github-hosted",
        );
        assert!(check(&ok, &claims()).is_ok());
        let own = v1(
            "https://github.com/octo/app",
            "refs/heads/main",
            "abc",
            "https://github.com/octo/app/.github/workflows/rel.yml@refs/heads/main",
        );
        assert!(check(&own, &claims()).is_ok());
    }

    #[test]
    fn another_repo_ref_commit_or_builder_fails() {
        let hosted = "https://github.com/actions/runner/github-hosted";
        for (st, what) in [
            (
                v1(
                    "https://github.com/evil/app",
                    "refs/heads/main",
                    "abc",
                    hosted,
                ),
                "source repository evil/app",
            ),
            (
                v1(
                    "https://github.com/octo/app",
                    "refs/heads/dev",
                    "abc",
                    hosted,
                ),
                "source ref refs/heads/dev",
            ),
            (
                v1(
                    "https://github.com/octo/app",
                    "refs/heads/main",
                    "def",
                    hosted,
                ),
                "source digest def",
            ),
            (
                v1(
                    "https://github.com/octo/app",
                    "refs/heads/main",
                    "abc",
                    "https://github.com/actions/runner/self-hosted",
                ),
                "runner environment self-hosted",
            ),
            (
                v1(
                    "https://github.com/octo/app",
                    "refs/heads/main",
                    "abc",
                    "https://github.com/evil/x/.github/workflows/a.yml@refs/heads/main",
                ),
                "builder id",
            ),
        ] {
            let f = check(&st, &claims()).err();
            assert_eq!(f.as_ref().map(|f| f.check), Some(Check::Slsa), "{what}");
            assert!(f.is_some_and(|f| f.reason.contains(what)), "{what}");
        }
    }

    #[test]
    fn v02_and_other_predicates() {
        let st = json!({"predicateType": PROVENANCE_V02, "predicate": {
            "builder": {"id": "https://github.com/actions/runner/github-hosted"},
            "invocation": {"configSource": {"uri": "git+https://github.com/evil/app@refs/heads/main",
                "digest": {"sha1": "abc"}}}}});
        assert!(check(&st, &claims()).is_err());
        let other = json!({"predicateType": "https://spdx.dev/Document", "predicate": {}});
        assert!(check(&other, &claims()).is_ok());
        assert!(
            check(
                &json!({"predicateType": PROVENANCE_V1, "predicate": 3}),
                &claims()
            )
            .is_ok()
        );
    }
}
