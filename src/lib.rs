//! attest-kit: supply-chain attestations for any repository, as a GitHub Action and a CLI.
//!
//! `app` is the entry point; `cli` and `action::inputs` are the two front doors that build
//! one `config::Job`; `commands` hold the work; `report` the results as values; `render`
//! turns results into outputs, summaries and text.

pub mod action;
pub mod app;
pub mod archive_path;
pub mod audit;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod github;
pub mod input_file;
pub mod pypi;
pub mod release;
pub mod render;
pub mod report;
pub mod reproduce;
pub mod sbom;
pub mod sign;
pub mod statement;
pub mod strict_json;
pub mod subject;
pub mod url_rule;
pub mod verify;
pub mod write;
