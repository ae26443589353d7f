//! One module per command: each takes its validated config and returns a report.
//!
//! Commands that need the `native` feature (the Sigstore crates, the network) are swapped for
//! `needs_native` in the portable (wasm32-wasip1) build, so they fail with a clear reason.

pub mod attest;
pub mod audit;
#[cfg(not(feature = "native"))]
pub mod needs_native;
#[cfg(feature = "native")]
pub mod push;
pub mod reproduce;
pub mod sbom;
#[cfg(feature = "native")]
pub mod sign;
#[cfg(feature = "native")]
pub mod upload;
#[cfg(feature = "native")]
pub mod verify;
#[cfg(feature = "native")]
pub mod verify_release;
#[cfg(not(feature = "native"))]
pub use needs_native::{push, sign, upload, verify, verify_release};
