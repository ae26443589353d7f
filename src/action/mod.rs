//! Everything that talks to the GitHub Actions runner: input variables, workflow commands,
//! step outputs and the job summary. Nothing else in the crate reads `INPUT_*` or writes
//! runner files.

pub mod commands;
pub mod inputs;
pub mod markdown;
pub mod outputs;
pub mod summary;

pub use commands::Console;
