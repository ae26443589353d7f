//! The seed's `build-provenance.json` (SLSA v0.2-style fields), for consumers that read it.

use serde::{Deserialize, Serialize};

use crate::github::BuildContext;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LegacyProvenance {
    pub build_type: String,
    pub builder: LegacyBuilder,
    pub invocation: Invocation,
    pub metadata: LegacyMetadata,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegacyBuilder {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    pub config_source: ConfigSource,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigSource {
    pub uri: String,
    pub digest: std::collections::BTreeMap<String, String>,
    pub entry_point: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LegacyMetadata {
    pub build_invocation_id: String,
    /// Only true when a reproducibility check in the same step proved it.
    pub reproducible: bool,
}

impl LegacyProvenance {
    pub fn new(build: &BuildContext, reproducible: bool) -> Self {
        match build {
            BuildContext::Github(ctx) => {
                let repo_url = ctx.repository_url();
                let path = ctx.workflow_path().unwrap_or_default();
                let workflow_ref = ctx
                    .workflow_ref
                    .split_once('@')
                    .map_or(ctx.git_ref.as_str(), |(_, r)| r);
                LegacyProvenance {
                    build_type: format!("{repo_url}/{path}@{workflow_ref}"),
                    builder: LegacyBuilder {
                        id: format!(
                            "{}/actions/runner/{}",
                            ctx.server_url, ctx.runner_environment
                        ),
                    },
                    invocation: Invocation {
                        config_source: ConfigSource {
                            uri: format!("git+{repo_url}@{}", ctx.sha),
                            digest: [("sha1".to_owned(), ctx.sha.clone())].into(),
                            entry_point: path.to_owned(),
                        },
                    },
                    metadata: LegacyMetadata {
                        build_invocation_id: format!("{}-{}", ctx.run_id, ctx.run_attempt),
                        reproducible,
                    },
                }
            }
            BuildContext::Local(local) => {
                let sha = local.sha.clone().unwrap_or_default();
                let url = local.repository_url.clone().unwrap_or_default();
                LegacyProvenance {
                    build_type: super::slsa::LOCAL_BUILD_TYPE.to_owned(),
                    builder: LegacyBuilder {
                        id: super::slsa::LOCAL_BUILDER_ID.to_owned(),
                    },
                    invocation: Invocation {
                        config_source: ConfigSource {
                            uri: if url.is_empty() {
                                String::new()
                            } else {
                                format!("git+{url}@{sha}")
                            },
                            digest: if sha.is_empty() {
                                Default::default()
                            } else {
                                [("sha1".to_owned(), sha)].into()
                            },
                            entry_point: String::new(),
                        },
                    },
                    metadata: LegacyMetadata {
                        build_invocation_id: String::new(),
                        reproducible,
                    },
                }
            }
        }
    }
}
