//! Stand-ins for the commands the portable build leaves out: same signatures, one clear error.

use crate::action::Console;
use crate::config::VerifyConfig;
use crate::error::Error;
use crate::report::VerifyReport;

pub fn run(_config: &VerifyConfig, _console: &Console) -> Result<VerifyReport, Error> {
    Err(Error::NeedsNative { command: "verify" })
}
