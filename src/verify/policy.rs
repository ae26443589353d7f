//! Who may have signed: identity, issuer, GitHub claims and predicate types, as small
//! composable rules (like sigstore-python's `AllOf`/`AnyOf`), from flags or a YAML file.
//!
//! A regexp must match the whole value: it is compiled as `^(?:re)$`, so no rule ever
//! accepts a value that merely contains a match.

use std::collections::BTreeSet;

use regex::Regex;
use serde::Deserialize;

use super::claims::Claims;
use super::{Check, Failure};

/// What a rule looks at: the verified certificate's claims and the statement's type.
#[derive(Debug, Clone, Copy)]
pub struct Signed<'a> {
    pub identity: Option<&'a str>,
    pub issuer: Option<&'a str>,
    pub claims: &'a Claims,
    pub predicate_type: Option<&'a str>,
}

/// A rule over a verified signature.
pub trait Rule: Send + Sync + std::fmt::Debug {
    fn check(&self, s: &Signed<'_>) -> Result<(), Failure>;
}

/// A value that must equal a string or fully match a regexp.
#[derive(Debug, Clone)]
pub enum Matcher {
    Exact(String),
    /// The anchored regexp, and the user's own for messages and the partial-match hint.
    Regexp {
        whole: Regex,
        given: Regex,
    },
}

impl Matcher {
    /// Anchors `re` on both ends around the user's own alternation.
    pub fn regexp(input: &'static str, re: &str) -> Result<Self, PolicyError> {
        let compile = |pattern: &str| {
            Regex::new(pattern).map_err(|e| PolicyError::Regexp {
                input,
                reason: e.to_string().lines().last().unwrap_or_default().to_owned(),
            })
        };
        Ok(Matcher::Regexp {
            whole: compile(&format!("^(?:{re})$"))?,
            given: compile(re)?,
        })
    }

    pub fn matches(&self, value: &str) -> bool {
        match self {
            Matcher::Exact(s) => s == value,
            Matcher::Regexp { whole, .. } => whole.is_match(value),
        }
    }

    fn shown(&self) -> &str {
        match self {
            Matcher::Exact(s) => s,
            Matcher::Regexp { whole, .. } => whole.as_str(),
        }
    }

    /// For a regexp that matches only part of `value` (cosign users expect a search), what
    /// to write instead.
    fn partial_hint(&self, value: &str) -> Option<String> {
        let Matcher::Regexp { given, .. } = self else {
            return None;
        };
        let m = given.find(value).filter(|m| !m.is_empty())?;
        let re = given.as_str();
        let group = if re.contains('|') {
            format!("(?:{re})")
        } else {
            re.to_owned()
        };
        let fixed = match (m.start() == 0, m.end() == value.len()) {
            (true, false) => format!("{group}.*"),
            (false, true) => format!(".*{group}"),
            _ => format!(".*{group}.*"),
        };
        Some(format!(
            "; regexps match the whole value and {re} matches only part of it: add .* where the rest may vary, e.g. {fixed}"
        ))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("invalid {input}: {reason}")]
    Regexp { input: &'static str, reason: String },
    #[error("{0}")]
    Invalid(String),
}

/// Which value a [`ClaimRule`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Identity,
    Issuer,
    SignerRepository,
    SignerWorkflow,
    SourceRepository,
    SourceRef,
    SourceDigest,
    RunnerEnvironment,
}

impl Field {
    fn label(self) -> &'static str {
        match self {
            Field::Identity => "certificate identity",
            Field::Issuer => "certificate OIDC issuer",
            Field::SignerRepository => "signer repository",
            Field::SignerWorkflow => "signer workflow",
            Field::SourceRepository => "source repository",
            Field::SourceRef => "source ref",
            Field::SourceDigest => "source digest",
            Field::RunnerEnvironment => "runner environment",
        }
    }

    fn check(self) -> Check {
        match self {
            Field::Identity => Check::Identity,
            Field::Issuer => Check::Issuer,
            _ => Check::CertificateClaims,
        }
    }

    fn read(self, s: &Signed<'_>) -> Option<String> {
        let c = s.claims;
        match self {
            Field::Identity => s.identity.map(str::to_owned),
            Field::Issuer => s.issuer.map(str::to_owned),
            Field::SignerRepository => c.signer_repository(),
            Field::SignerWorkflow => c.build_signer_uri.clone(),
            Field::SourceRepository => c.source_repository(),
            Field::SourceRef => c.source_ref().map(str::to_owned),
            Field::SourceDigest => c.source_digest().map(str::to_owned),
            Field::RunnerEnvironment => c.runner_environment.clone(),
        }
    }
}

/// One field must match.
#[derive(Debug, Clone)]
pub struct ClaimRule {
    pub field: Field,
    pub matcher: Matcher,
}

impl Rule for ClaimRule {
    fn check(&self, s: &Signed<'_>) -> Result<(), Failure> {
        let label = self.field.label();
        match self.field.read(s) {
            Some(v) if self.matcher.matches(&v) => Ok(()),
            Some(v) => Err(Failure::new(
                self.field.check(),
                format!(
                    "{label} {v} does not match {}{}",
                    self.matcher.shown(),
                    self.matcher.partial_hint(&v).unwrap_or_default()
                ),
            )),
            None => Err(Failure::new(
                self.field.check(),
                format!(
                    "the certificate has no {label}; expected {}",
                    self.matcher.shown()
                ),
            )),
        }
    }
}

/// Rejects certificates issued to self-hosted runners (or that do not say).
#[derive(Debug, Clone, Copy)]
pub struct DenySelfHosted;

impl Rule for DenySelfHosted {
    fn check(&self, s: &Signed<'_>) -> Result<(), Failure> {
        match s.claims.runner_environment.as_deref() {
            Some("github-hosted") => Ok(()),
            other => Err(Failure::new(
                Check::CertificateClaims,
                format!(
                    "runner environment {} is not github-hosted (deny-self-hosted-runners)",
                    other.unwrap_or("(none)")
                ),
            )),
        }
    }
}

/// The statement's predicate type must be one of these.
#[derive(Debug, Clone)]
pub struct PredicateTypes(pub Vec<String>);

impl Rule for PredicateTypes {
    fn check(&self, s: &Signed<'_>) -> Result<(), Failure> {
        match s.predicate_type {
            Some(p) if self.0.iter().any(|t| t == p) => Ok(()),
            Some(p) => Err(Failure::new(
                Check::PredicateType,
                format!("predicate type {p} is not {}", self.0.join(" or ")),
            )),
            None => Err(Failure::new(
                Check::PredicateType,
                format!(
                    "the bundle holds no attestation; expected predicate type {}",
                    self.0.join(" or ")
                ),
            )),
        }
    }
}

/// Every rule must pass; the first failure is reported.
#[derive(Debug, Default)]
pub struct AllOf(pub Vec<Box<dyn Rule>>);

impl Rule for AllOf {
    fn check(&self, s: &Signed<'_>) -> Result<(), Failure> {
        self.0.iter().try_for_each(|r| r.check(s))
    }
}

/// At least one rule must pass; the failures of all are reported.
#[derive(Debug, Default)]
pub struct AnyOf(pub Vec<Box<dyn Rule>>);

impl Rule for AnyOf {
    fn check(&self, s: &Signed<'_>) -> Result<(), Failure> {
        let mut failures = Vec::new();
        for r in &self.0 {
            match r.check(s) {
                Ok(()) => return Ok(()),
                Err(f) => failures.push(f),
            }
        }
        match failures.len() {
            0 => Err(Failure::new(
                Check::Identity,
                "no accepted identity is configured",
            )),
            1 => Err(failures.remove(0)),
            n => {
                let check = failures[0].check;
                let reasons: Vec<String> = failures
                    .iter()
                    .enumerate()
                    .map(|(i, f)| format!("({}) {}", i + 1, f.reason))
                    .collect();
                Err(Failure::new(
                    check,
                    format!(
                        "none of {n} accepted identities matched: {}",
                        reasons.join("; ")
                    ),
                ))
            }
        }
    }
}

/// One accepted signer, as flags or one `identities:` entry give it.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct IdentitySpec {
    pub certificate_identity: Option<String>,
    pub certificate_identity_regexp: Option<String>,
    pub certificate_oidc_issuer: Option<String>,
    pub certificate_oidc_issuer_regexp: Option<String>,
    pub signer_repository: Option<String>,
    pub signer_workflow: Option<String>,
    pub source_repository: Option<String>,
    pub source_ref: Option<String>,
    pub source_digest: Option<String>,
    pub runner_environment: Option<String>,
}

fn either(
    exact: &Option<String>,
    re: &Option<String>,
    exact_name: &'static str,
    re_name: &'static str,
) -> Result<Option<Matcher>, PolicyError> {
    match (exact, re) {
        (Some(_), Some(_)) => Err(PolicyError::Invalid(format!(
            "give {exact_name} or {re_name}, not both"
        ))),
        (Some(e), None) => Ok(Some(Matcher::Exact(e.clone()))),
        (None, Some(r)) => Matcher::regexp(re_name, r).map(Some),
        (None, None) => Ok(None),
    }
}

/// `signer-workflow` may be written `OWNER/REPO/.github/workflows/F.yml[@REF]`, with or
/// without `https://github.com/`; without `@REF` any ref matches.
fn workflow_matcher(w: &str) -> Result<Matcher, PolicyError> {
    let full = if w.starts_with("https://") {
        w.to_owned()
    } else {
        format!("https://github.com/{}", w.trim_start_matches('/'))
    };
    if full.contains('@') {
        Ok(Matcher::Exact(full))
    } else {
        Matcher::regexp("signer-workflow", &format!("{}@.+", regex::escape(&full)))
    }
}

impl IdentitySpec {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Builds the rule; identity and issuer are both required unless `keyed`.
    pub fn rule(&self, keyed: bool) -> Result<AllOf, PolicyError> {
        let mut rules: Vec<Box<dyn Rule>> = Vec::new();
        let identity = either(
            &self.certificate_identity,
            &self.certificate_identity_regexp,
            "certificate-identity",
            "certificate-identity-regexp",
        )?;
        let issuer = either(
            &self.certificate_oidc_issuer,
            &self.certificate_oidc_issuer_regexp,
            "certificate-oidc-issuer",
            "certificate-oidc-issuer-regexp",
        )?;
        if !keyed && (identity.is_none() || issuer.is_none()) {
            return Err(PolicyError::Invalid(
                "both certificate-identity (or -regexp) and certificate-oidc-issuer (or -regexp) are required, unless key is given".to_owned(),
            ));
        }
        for (field, m) in [(Field::Identity, identity), (Field::Issuer, issuer)] {
            if let Some(matcher) = m {
                rules.push(Box::new(ClaimRule { field, matcher }));
            }
        }
        let exact = [
            (Field::SignerRepository, &self.signer_repository),
            (Field::SourceRepository, &self.source_repository),
            (Field::SourceRef, &self.source_ref),
            (Field::SourceDigest, &self.source_digest),
            (Field::RunnerEnvironment, &self.runner_environment),
        ];
        for (field, v) in exact {
            if let Some(v) = v {
                let v = v.trim();
                let matcher = match field {
                    // GitHub names are case-insensitive.
                    Field::SignerRepository | Field::SourceRepository => {
                        Matcher::regexp(field.label_input(), &format!("(?i:{})", regex::escape(v)))?
                    }
                    _ => Matcher::Exact(v.to_owned()),
                };
                rules.push(Box::new(ClaimRule { field, matcher }));
            }
        }
        if let Some(w) = &self.signer_workflow {
            rules.push(Box::new(ClaimRule {
                field: Field::SignerWorkflow,
                matcher: workflow_matcher(w.trim())?,
            }));
        }
        Ok(AllOf(rules))
    }
}

impl Field {
    fn label_input(self) -> &'static str {
        match self {
            Field::SignerRepository => "signer-repository",
            Field::SourceRepository => "source-repository",
            _ => "policy",
        }
    }
}

/// A policy file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PolicyFile {
    /// Accepted signers: any one of them.
    #[serde(default)]
    pub identities: Vec<IdentitySpec>,
    /// Accepted predicate types: the attestation must have one of them.
    #[serde(default)]
    pub predicate_types: Vec<String>,
    #[serde(default)]
    pub deny_self_hosted_runners: bool,
    /// Rules for artifacts whose name matches a glob; they replace the top-level
    /// identities/predicate types for those artifacts (first match wins).
    #[serde(default)]
    pub artifacts: Vec<ArtifactRule>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ArtifactRule {
    /// Glob on the artifact's path or file name, e.g. `dist/*.whl`.
    pub name: String,
    #[serde(default)]
    pub identities: Vec<IdentitySpec>,
    #[serde(default)]
    pub predicate_types: Vec<String>,
}

impl PolicyFile {
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        if text.len() > 1024 * 1024 {
            return Err(PolicyError::Invalid("larger than 1 MiB".to_owned()));
        }
        serde_norway::from_str(text).map_err(|e| PolicyError::Invalid(e.to_string()))
    }
}

/// The whole policy: rules for every artifact plus per-artifact overrides.
#[derive(Debug)]
pub struct Policy {
    base: AllOf,
    overrides: Vec<(globset::GlobMatcher, AllOf)>,
}

fn any_identity(specs: &[IdentitySpec], keyed: bool) -> Result<Option<Box<dyn Rule>>, PolicyError> {
    if specs.is_empty() {
        return Ok(None);
    }
    let rules = specs
        .iter()
        .map(|s| s.rule(keyed).map(|r| Box::new(r) as Box<dyn Rule>))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Box::new(AnyOf(rules))))
}

impl Policy {
    /// Builds the policy from the flags' identity, predicate type and runner settings and
    /// an optional policy file; both apply when both are given. Without `keyed`, some
    /// identity (flags or file) is required.
    pub fn build(
        flags: &IdentitySpec,
        predicate_type: Option<&str>,
        deny_self_hosted: bool,
        file: Option<&PolicyFile>,
        keyed: bool,
    ) -> Result<Self, PolicyError> {
        let mut base: Vec<Box<dyn Rule>> = Vec::new();
        // Top-level identities in the file cover every artifact; per-artifact ones only
        // their own, so they do not stand in for the required identity.
        let file_has_identities = file.is_some_and(|f| !f.identities.is_empty());
        if !flags.is_empty() || (!keyed && !file_has_identities) {
            base.push(Box::new(flags.rule(keyed)?));
        }
        if let Some(p) = predicate_type {
            base.push(Box::new(PredicateTypes(vec![p.to_owned()])));
        }
        let deny = deny_self_hosted || file.is_some_and(|f| f.deny_self_hosted_runners);
        if deny {
            base.push(Box::new(DenySelfHosted));
        }
        let mut overrides = Vec::new();
        if let Some(f) = file {
            for a in &f.artifacts {
                let glob = globset::GlobBuilder::new(&a.name)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| PolicyError::Invalid(format!("artifacts name {:?}: {e}", a.name)))?
                    .compile_matcher();
                let mut rules: Vec<Box<dyn Rule>> = Vec::new();
                let ids = if a.identities.is_empty() {
                    &f.identities
                } else {
                    &a.identities
                };
                rules.extend(any_identity(ids, keyed)?);
                let types = if a.predicate_types.is_empty() {
                    &f.predicate_types
                } else {
                    &a.predicate_types
                };
                if !types.is_empty() {
                    rules.push(Box::new(PredicateTypes(types.clone())));
                }
                overrides.push((glob, AllOf(rules)));
            }
            let mut top: Vec<Box<dyn Rule>> = Vec::new();
            top.extend(any_identity(&f.identities, keyed)?);
            if !f.predicate_types.is_empty() {
                let unique: BTreeSet<_> = f.predicate_types.iter().cloned().collect();
                top.push(Box::new(PredicateTypes(unique.into_iter().collect())));
            }
            // Top-level file rules apply where no override matches: kept as the last override.
            overrides.push((
                globset::Glob::new("**")
                    .map_err(|e| PolicyError::Invalid(e.to_string()))?
                    .compile_matcher(),
                AllOf(top),
            ));
        }
        Ok(Policy {
            base: AllOf(base),
            overrides,
        })
    }

    /// Checks `s` for the artifact named `name` (its path, or its digest for digests).
    pub fn check(&self, name: &str, s: &Signed<'_>) -> Result<(), Failure> {
        self.base.check(s)?;
        let file_name = name.rsplit('/').next().unwrap_or(name);
        if let Some((_, rules)) = self
            .overrides
            .iter()
            .find(|(g, _)| g.is_match(name) || g.is_match(file_name))
        {
            rules.check(s)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "https://github.com/octo/app/.github/workflows/release.yml@refs/heads/main";
    const ISS: &str = "https://token.actions.githubusercontent.com";

    fn signed(claims: &Claims) -> Signed<'_> {
        Signed {
            identity: Some(ID),
            issuer: Some(ISS),
            claims,
            predicate_type: Some("https://slsa.dev/provenance/v1"),
        }
    }

    fn flags(id: Option<&str>, id_re: Option<&str>) -> IdentitySpec {
        IdentitySpec {
            certificate_identity: id.map(Into::into),
            certificate_identity_regexp: id_re.map(Into::into),
            certificate_oidc_issuer: Some(ISS.into()),
            ..Default::default()
        }
    }

    fn check(spec: &IdentitySpec, claims: &Claims) -> Result<(), Failure> {
        Policy::build(spec, None, false, None, false)
            .map_err(|e| Failure::new(Check::Bundle, e.to_string()))?
            .check("a", &signed(claims))
    }

    #[test]
    fn exact_identity_and_issuer() {
        let c = Claims::default();
        assert!(check(&flags(Some(ID), None), &c).is_ok());
        let f = check(&flags(Some("https://github.com/octo/app"), None), &c).err();
        assert_eq!(f.as_ref().map(|f| f.check), Some(Check::Identity));
        assert!(f.is_some_and(|f| f.reason
            == format!("certificate identity {ID} does not match https://github.com/octo/app")));
        let mut wrong_issuer = flags(Some(ID), None);
        wrong_issuer.certificate_oidc_issuer = Some("https://accounts.google.com".into());
        assert_eq!(
            check(&wrong_issuer, &c).err().map(|f| f.check),
            Some(Check::Issuer)
        );
    }

    #[test]
    fn a_regexp_that_matches_only_part_says_what_to_add() {
        let claims = Claims::default();
        let cases = [
            (
                "https://github\\.com/octo/app/",
                "https://github\\.com/octo/app/.*",
            ),
            (
                "release\\.yml@refs/heads/main",
                ".*release\\.yml@refs/heads/main",
            ),
            ("octo/app", ".*octo/app.*"),
            ("octo/app|nope", ".*(?:octo/app|nope).*"),
        ];
        for (re, fixed) in cases {
            let f = check(&flags(None, Some(re)), &claims).err();
            let reason = f.map(|f| f.reason).unwrap_or_default();
            assert!(
                reason.contains("regexps match the whole value")
                    && reason.ends_with(&format!("e.g. {fixed}")),
                "{re}: {reason}"
            );
            // The suggestion is right: it matches.
            assert!(check(&flags(None, Some(fixed)), &claims).is_ok(), "{fixed}");
        }
        // No part matches: no hint.
        let f = check(&flags(None, Some("elsewhere")), &claims).err();
        assert!(f.is_some_and(|f| !f.reason.contains("regexps match")));
    }

    #[test]
    fn regexps_must_match_the_whole_value() {
        let c = Claims::default();
        // Matches only a substring: rejected.
        let f = check(&flags(None, Some("octo/app")), &c).err();
        assert!(f.is_some_and(|f| f.reason.starts_with(&format!(
            "certificate identity {ID} does not match ^(?:octo/app)$; "
        ))));
        assert!(check(&flags(None, Some(r"https://github\.com/octo/app/.*")), &c).is_ok());
        // An alternation cannot escape the anchors.
        assert!(check(&flags(None, Some("nope|octo")), &c).is_err());
        assert!(matches!(
            Policy::build(&flags(None, Some("(")), None, false, None, false),
            Err(PolicyError::Regexp { .. })
        ));
    }

    #[test]
    fn identity_and_issuer_are_required_without_a_key() {
        let only_id = IdentitySpec {
            certificate_identity: Some(ID.into()),
            ..Default::default()
        };
        assert!(Policy::build(&only_id, None, false, None, false).is_err());
        assert!(Policy::build(&IdentitySpec::default(), None, false, None, false).is_err());
        assert!(Policy::build(&IdentitySpec::default(), None, false, None, true).is_ok());
        assert!(Policy::build(&flags(Some(ID), Some(".*")), None, false, None, false).is_err());
    }

    #[test]
    fn github_claims() {
        let c = Claims {
            build_signer_uri: Some(
                "https://github.com/org/shared/.github/workflows/attest.yml@refs/tags/v1".into(),
            ),
            source_repository_uri: Some("https://github.com/Octo/App".into()),
            source_repository_ref: Some("refs/heads/main".into()),
            runner_environment: Some("self-hosted".into()),
            ..Default::default()
        };
        let mut spec = flags(Some(ID), None);
        spec.source_repository = Some("octo/app".into());
        spec.signer_repository = Some("org/shared".into());
        spec.signer_workflow = Some("org/shared/.github/workflows/attest.yml".into());
        spec.source_ref = Some("refs/heads/main".into());
        assert!(check(&spec, &c).is_ok());
        spec.signer_workflow = Some("org/shared/.github/workflows/attest.yml@refs/tags/v2".into());
        assert_eq!(
            check(&spec, &c).err().map(|f| f.check),
            Some(Check::CertificateClaims)
        );
        spec.signer_workflow = None;
        spec.source_ref = Some("refs/heads/dev".into());
        assert!(
            check(&spec, &c)
                .err()
                .is_some_and(|f| f.reason.contains("source ref refs/heads/main"))
        );
        let p = Policy::build(&flags(Some(ID), None), None, true, None, false);
        assert!(p.is_ok_and(|p| p.check("a", &signed(&c)).is_err()));
    }

    #[test]
    fn policy_files() -> Result<(), PolicyError> {
        let text = format!(
            "identities:\n  - certificate-identity-regexp: 'https://github\\.com/octo/.*'\n    certificate-oidc-issuer: {ISS}\npredicate-types: [https://slsa.dev/provenance/v1]\nartifacts:\n  - name: '*.whl'\n    identities:\n      - certificate-identity: https://example.com/other\n        certificate-oidc-issuer: {ISS}\n"
        );
        let file = PolicyFile::parse(&text)?;
        let p = Policy::build(&IdentitySpec::default(), None, false, Some(&file), false)?;
        let c = Claims::default();
        assert!(p.check("dist/app.tar.gz", &signed(&c)).is_ok());
        assert!(p.check("dist/app.whl", &signed(&c)).is_err());
        let mut s = signed(&c);
        s.predicate_type = Some("https://spdx.dev/Document");
        assert_eq!(
            p.check("x", &s).err().map(|f| f.check),
            Some(Check::PredicateType)
        );
        assert!(PolicyFile::parse("identities: []\nextra: 1\n").is_err());
        assert!(PolicyFile::parse("identities:\n  - certificate-identty: x\n").is_err());
        assert!(PolicyFile::parse(": : :\n\t-").is_err());
        Ok(())
    }
}
