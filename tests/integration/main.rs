//! Integration tests, built as one binary.

mod act_log;
mod action;
mod cli;
mod common;
mod e2e;
mod hostile;
mod hostile_limits;
mod provenance;
mod release;
mod reproduce;
mod wasm;
mod workflows;
