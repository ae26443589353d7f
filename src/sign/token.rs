//! The OIDC identity token: from the `identity-token` input, or from the Actions runtime
//! (`ACTIONS_ID_TOKEN_REQUEST_URL` + `ACTIONS_ID_TOKEN_REQUEST_TOKEN`, audience `sigstore`).
//!
//! The token is a bearer credential: it is masked in the runner's log before anything else
//! happens, never printed (its `Debug` is `***`) and never written to disk.

use base64::Engine as _;
use serde::Deserialize;

use super::SignError;

/// A secret string whose `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// The claims we read from a token (without verifying it: Fulcio does that).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct TokenClaims {
    #[serde(default)]
    pub iss: String,
    #[serde(default)]
    pub sub: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub job_workflow_ref: Option<String>,
    #[serde(default)]
    pub exp: Option<i64>,
}

impl TokenClaims {
    /// The certificate identity Fulcio will issue for this token, when it is predictable:
    /// GitHub Actions tokens get `https://github.com/<job_workflow_ref>`, email tokens the
    /// email.
    pub fn expected_identity(&self) -> Option<String> {
        if self.iss == GITHUB_ISSUER {
            return self
                .job_workflow_ref
                .as_ref()
                .map(|r| format!("https://github.com/{r}"));
        }
        self.email.clone()
    }
}

pub const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// Reads a JWT's payload. A token that is not a JWT is a user error.
pub fn claims(token: &Secret) -> Result<TokenClaims, SignError> {
    let bad = |reason: &str| SignError::Token(format!("the identity token is not a JWT: {reason}"));
    let mut parts = token.expose().trim().split('.');
    let (Some(_), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("expected three dot-separated parts"));
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| bad("its payload is not base64url"))?;
    serde_json::from_slice(&bytes).map_err(|_| bad("its payload is not a JSON object"))
}

/// Where the Actions runtime hands out tokens, if the job may have one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionsTokenRequest {
    pub url: String,
    pub bearer: Secret,
}

impl ActionsTokenRequest {
    /// Both variables, or neither: GitHub sets them only with `permissions: id-token: write`.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Option<Self> {
        let url = env("ACTIONS_ID_TOKEN_REQUEST_URL").filter(|v| !v.trim().is_empty())?;
        let bearer = env("ACTIONS_ID_TOKEN_REQUEST_TOKEN").filter(|v| !v.trim().is_empty())?;
        Some(Self {
            url: url.trim().to_owned(),
            bearer: Secret::new(bearer.trim()),
        })
    }

    /// The request URL with `audience=sigstore` added.
    pub fn url_for_sigstore(&self) -> String {
        let sep = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{sep}audience=sigstore", self.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> Secret {
        let p = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload);
        Secret::new(format!("eyJhbGciOiJub25lIn0.{p}.c2ln"))
    }

    #[test]
    fn claims_and_expected_identity() -> Result<(), SignError> {
        let c = claims(&jwt(
            r#"{"iss":"https://token.actions.githubusercontent.com","job_workflow_ref":"o/r/.github/workflows/x.yml@refs/heads/main"}"#,
        ))?;
        assert_eq!(
            c.expected_identity().as_deref(),
            Some("https://github.com/o/r/.github/workflows/x.yml@refs/heads/main")
        );
        let e = claims(&jwt(
            r#"{"iss":"https://accounts.example","email":"a@b.c"}"#,
        ))?;
        assert_eq!(e.expected_identity().as_deref(), Some("a@b.c"));
        for bad in ["", "a.b", "a.!!.c", "a.bm90IGpzb24.c", "a.b.c.d"] {
            assert!(claims(&Secret::new(bad)).is_err(), "{bad}");
        }
        Ok(())
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "***");
        let r = ActionsTokenRequest {
            url: "http://x".into(),
            bearer: s,
        };
        assert!(!format!("{r:?}").contains("hunter2"));
    }

    #[test]
    fn request_needs_both_variables_and_adds_the_audience() {
        let env = |k: &str| match k {
            "ACTIONS_ID_TOKEN_REQUEST_URL" => Some("https://x/token?api-version=2.0".to_owned()),
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN" => Some("t".to_owned()),
            _ => None,
        };
        let r = ActionsTokenRequest::from_env(&env).expect("both set");
        assert_eq!(
            r.url_for_sigstore(),
            "https://x/token?api-version=2.0&audience=sigstore"
        );
        let half = |k: &str| env(k).filter(|_| k.ends_with("URL"));
        assert!(ActionsTokenRequest::from_env(&half).is_none());
    }
}
