//! SLSA provenance v1 for GitHub Actions builds, filled as actions/attest-build-provenance
//! fills it (buildType `https://actions.github.io/buildtypes/workflow/v1`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::github::{BuildContext, GithubContext, context::LocalContext};

pub const PREDICATE_TYPE: &str = "https://slsa.dev/provenance/v1";
pub const GITHUB_BUILD_TYPE: &str = "https://actions.github.io/buildtypes/workflow/v1";
/// Our own build type for `--allow-local`: says plainly that no CI system ran the build.
pub const LOCAL_BUILD_TYPE: &str = "https://github.com/attest-kit/attest-kit/buildtypes/local/v1";
pub const LOCAL_BUILDER_ID: &str = "https://github.com/attest-kit/attest-kit/builders/local";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
    pub build_definition: BuildDefinition,
    pub run_details: RunDetails,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildDefinition {
    pub build_type: String,
    pub external_parameters: serde_json::Value,
    pub internal_parameters: serde_json::Value,
    pub resolved_dependencies: Vec<ResourceDescriptor>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceDescriptor {
    pub uri: String,
    pub digest: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunDetails {
    pub builder: Builder,
    pub metadata: RunMetadata,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Builder {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunMetadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invocation_id: Option<String>,
}

impl Provenance {
    pub fn new(build: &BuildContext) -> Self {
        match build {
            BuildContext::Github(ctx) => Self::github(ctx),
            BuildContext::Local(local) => Self::local(local),
        }
    }

    fn github(ctx: &GithubContext) -> Self {
        let repo_url = ctx.repository_url();
        Provenance {
            build_definition: BuildDefinition {
                build_type: GITHUB_BUILD_TYPE.to_owned(),
                external_parameters: serde_json::json!({
                    "workflow": {
                        "ref": ctx.git_ref,
                        "repository": repo_url,
                        "path": ctx.workflow_path().unwrap_or_default(),
                    }
                }),
                internal_parameters: serde_json::json!({
                    "github": {
                        "event_name": ctx.event_name,
                        "repository_id": ctx.repository_id,
                        "repository_owner_id": ctx.repository_owner_id,
                        "runner_environment": ctx.runner_environment,
                    }
                }),
                resolved_dependencies: vec![ResourceDescriptor {
                    uri: format!("git+{repo_url}@{}", ctx.git_ref),
                    digest: BTreeMap::from([("gitCommit".to_owned(), ctx.sha.clone())]),
                }],
            },
            run_details: RunDetails {
                // The workflow that ran: for a reusable workflow this is the caller's until
                // signing reads the job_workflow_ref claim from the OIDC token.
                builder: Builder {
                    id: format!("{}/{}", ctx.server_url, ctx.workflow_ref),
                },
                metadata: RunMetadata {
                    invocation_id: Some(format!(
                        "{repo_url}/actions/runs/{}/attempts/{}",
                        ctx.run_id, ctx.run_attempt
                    )),
                },
            },
        }
    }

    fn local(local: &LocalContext) -> Self {
        let resolved = match (&local.repository_url, &local.sha) {
            (Some(url), Some(sha)) => vec![ResourceDescriptor {
                uri: match &local.git_ref {
                    Some(r) => format!("git+{url}@{r}"),
                    None => format!("git+{url}"),
                },
                digest: BTreeMap::from([("gitCommit".to_owned(), sha.clone())]),
            }],
            _ => Vec::new(),
        };
        Provenance {
            build_definition: BuildDefinition {
                build_type: LOCAL_BUILD_TYPE.to_owned(),
                external_parameters: serde_json::json!({}),
                internal_parameters: serde_json::json!({}),
                resolved_dependencies: resolved,
            },
            run_details: RunDetails {
                builder: Builder {
                    id: LOCAL_BUILDER_ID.to_owned(),
                },
                metadata: RunMetadata {
                    invocation_id: None,
                },
            },
        }
    }
}
