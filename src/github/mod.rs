//! GitHub: the workflow run's context, and the REST API client (native builds only).

#[cfg(feature = "native")]
pub mod api;
pub mod context;

pub use context::{BuildContext, ContextError, GithubContext};
