//! One module per command: each takes its validated config and returns a report.

pub mod attest;
pub mod reproduce;
pub mod verify;
