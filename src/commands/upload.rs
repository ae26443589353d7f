//! `upload-release-assets`: everything the step wrote (provenance, checksums, bundles,
//! `.sig`, `.crt`) becomes an asset of the current tag's release. An asset that already
//! exists with the same content is left alone; different content is an error unless
//! `overwrite`. A parallel job that uploads the same name first is detected (422
//! already_exists) and compared the same way, so racing jobs never leave a corrupt asset.

use sha2::{Digest as _, Sha256};

use crate::action::Console;
use crate::config::AttestConfig;
use crate::error::Error;
use crate::github::api::{ApiError, Asset, Client};
use crate::report::AttestReport;

/// What happened to each file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadReport {
    pub repository: String,
    pub tag: String,
    pub uploaded: Vec<String>,
    pub unchanged: Vec<String>,
    pub replaced: Vec<String>,
}

/// The tag of the run: GITHUB_REF_NAME on a tag ref, else refs/tags/X in GITHUB_REF.
fn current_tag(env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let git_ref = env("GITHUB_REF").unwrap_or_default();
    if let Some(t) = git_ref.strip_prefix("refs/tags/") {
        return Some(t.to_owned());
    }
    env("GITHUB_REF_TYPE")
        .filter(|t| t == "tag")
        .and(env("GITHUB_REF_NAME"))
        .filter(|t| !t.is_empty())
}

fn differs(name: &str) -> Error {
    Error::Api(ApiError::Explained(format!(
        "release asset {name} already exists with different content; set overwrite: true to replace it"
    )))
}

async fn same_content(client: &Client, asset: &Asset, bytes: &[u8]) -> Result<bool, ApiError> {
    if asset.size != bytes.len() as u64 {
        return Ok(false);
    }
    let ours = hex::encode(Sha256::digest(bytes));
    if let Some(hex) = asset
        .digest
        .as_deref()
        .and_then(|d| d.strip_prefix("sha256:"))
    {
        return Ok(hex.eq_ignore_ascii_case(&ours));
    }
    Ok(client.asset_bytes(asset).await? == bytes)
}

pub fn run(
    config: &AttestConfig,
    report: &AttestReport,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
) -> Result<UploadReport, Error> {
    let invalid = |reason: String| crate::config::ConfigError::Invalid {
        input: "upload-release-assets",
        reason,
    };
    let repo = env("GITHUB_REPOSITORY")
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| invalid("GITHUB_REPOSITORY is not set".to_owned()))?;
    crate::release::check_repo(&repo).map_err(invalid)?;
    let tag = current_tag(env).ok_or_else(|| {
        invalid("the run is not for a tag (GITHUB_REF is not refs/tags/...)".to_owned())
    })?;
    let client = super::verify_release::client(config.github_token.as_ref(), env, console)?;
    let mut out = UploadReport {
        repository: repo.clone(),
        tag: tag.clone(),
        ..Default::default()
    };
    let files: Vec<(String, std::path::PathBuf)> = report
        .files
        .iter()
        .filter_map(|f| {
            Some((
                f.path.file_name()?.to_string_lossy().into_owned(),
                f.path.clone(),
            ))
        })
        .collect();
    let rt = super::verify_release::runtime()?;
    rt.block_on(async {
        let release = client.release_by_tag(&repo, &tag).await?;
        let existing = client.release_assets(&repo, &release).await?;
        for (name, path) in &files {
            let bytes = crate::input_file::read(path, crate::input_file::WRITTEN_FILE).map_err(
                |source| Error::Write {
                    path: path.clone(),
                    source,
                },
            )?;
            let mut current = existing.iter().find(|a| &a.name == name).cloned();
            loop {
                match &current {
                    Some(a) if same_content(&client, a, &bytes).await? => {
                        out.unchanged.push(name.clone());
                        break;
                    }
                    Some(a) if config.overwrite => {
                        client.delete_asset(&repo, a).await?;
                        if client
                            .upload_asset(&repo, &release, name, &bytes)
                            .await?
                            .is_none()
                        {
                            return Err(differs(name));
                        }
                        out.replaced.push(name.clone());
                        break;
                    }
                    Some(_) => return Err(differs(name)),
                    None => match client.upload_asset(&repo, &release, name, &bytes).await? {
                        Some(_) => {
                            out.uploaded.push(name.clone());
                            break;
                        }
                        // Someone else uploaded it meanwhile: compare with theirs.
                        None => {
                            let now = client.release_assets(&repo, &release).await?;
                            current = now.into_iter().find(|a| &a.name == name);
                            if current.is_none() {
                                return Err(differs(name));
                            }
                        }
                    },
                }
            }
        }
        Ok::<_, Error>(())
    })?;
    console.info(&format!(
        "release {tag} of {repo}: {} uploaded, {} unchanged, {} replaced",
        out.uploaded.len(),
        out.unchanged.len(),
        out.replaced.len()
    ));
    Ok(out)
}
