//! GitHub: the workflow run's context (and, later, the REST API client).

pub mod context;

pub use context::{BuildContext, ContextError, GithubContext};
