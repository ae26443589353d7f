//! Stand-ins for the commands the portable build leaves out: same signatures, one clear error.

pub mod verify {
    use crate::action::Console;
    use crate::config::VerifyConfig;
    use crate::error::Error;
    use crate::report::VerifyReport;

    pub fn run(_config: &VerifyConfig, _console: &Console) -> Result<VerifyReport, Error> {
        Err(Error::NeedsNative { command: "verify" })
    }

    pub fn run_env(
        _config: &VerifyConfig,
        _env: &dyn Fn(&str) -> Option<String>,
        _console: &Console,
    ) -> Result<VerifyReport, Error> {
        Err(Error::NeedsNative { command: "verify" })
    }
}

pub mod push {
    use crate::action::Console;
    use crate::config::AttestConfig;
    use crate::error::Error;
    use crate::report::AttestReport;

    /// What was stored (never, here).
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct PushReport {
        pub repository: String,
        pub ids: Vec<u64>,
        pub urls: Vec<String>,
    }

    pub fn run(
        _config: &AttestConfig,
        _report: &AttestReport,
        _env: &dyn Fn(&str) -> Option<String>,
        _console: &Console,
    ) -> Result<PushReport, Error> {
        Err(Error::NeedsNative {
            command: "attest with push-to-github",
        })
    }
}

pub mod upload {
    use crate::action::Console;
    use crate::config::AttestConfig;
    use crate::error::Error;
    use crate::report::AttestReport;

    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct UploadReport {
        pub repository: String,
        pub tag: String,
        pub uploaded: Vec<String>,
        pub unchanged: Vec<String>,
        pub replaced: Vec<String>,
    }

    pub fn run(
        _config: &AttestConfig,
        _report: &AttestReport,
        _env: &dyn Fn(&str) -> Option<String>,
        _console: &Console,
    ) -> Result<UploadReport, Error> {
        Err(Error::NeedsNative {
            command: "attest with upload-release-assets",
        })
    }
}

pub mod verify_release {
    use crate::action::Console;
    use crate::config::VerifyReleaseConfig;
    use crate::error::Error;
    use crate::release::ReleaseReport;

    pub fn run(
        _config: &VerifyReleaseConfig,
        _env: &dyn Fn(&str) -> Option<String>,
        _console: &Console,
    ) -> Result<ReleaseReport, Error> {
        Err(Error::NeedsNative {
            command: "verify-release",
        })
    }
}

pub mod sign {
    use std::path::Path;

    use crate::action::Console;
    use crate::config::SignConfig;
    use crate::error::Error;
    use crate::report::{AttestReport, SignReport, WrittenFile};
    use crate::sign::{SignSettings, StatementToSign};
    use crate::subject::Subject;
    use crate::write::PendingFile;

    pub fn run(
        _config: &SignConfig,
        _env: &dyn Fn(&str) -> Option<String>,
        _console: &Console,
    ) -> Result<AttestReport, Error> {
        Err(Error::NeedsNative { command: "sign" })
    }

    /// The signing half of `attest --sign`.
    pub fn sign(
        _settings: &SignSettings,
        _subjects: &[Subject],
        _statements: &[StatementToSign],
        _output_dir: &Path,
        _env: &dyn Fn(&str) -> Option<String>,
        _console: &Console,
    ) -> Result<(SignReport, Vec<PendingFile>, Vec<WrittenFile>), Error> {
        Err(Error::NeedsNative {
            command: "attest with sign",
        })
    }
}
