//! Startup: read the command line (or the action's inputs), run the job, hand its report
//! to the renderers, and turn errors into one-line reasons and exit codes.

use std::collections::HashMap;
use std::process::ExitCode;

use clap::Parser;

use crate::action::{Console, commands::Location, inputs};
use crate::cli::{App, CliCommand};
use crate::commands;
use crate::config::{
    AttestConfig, AuditConfig, Format, Job, SbomDiffConfig, SignConfig, VerifyConfig,
};
use crate::error::Error;
use crate::render;

/// The process environment, read once. Values that are not UTF-8 are dropped: nothing we
/// read may be non-UTF-8, and `std::env::vars` would panic on them.
pub fn process_env() -> HashMap<String, String> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect()
}

pub fn main() -> ExitCode {
    let app = match App::try_parse() {
        Ok(app) => app,
        Err(e) => {
            let _ = e.print();
            // Help and version go to stdout with 0; a usage error is 2.
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let env = process_env();
    let lookup = |k: &str| env.get(k).cloned();
    let console = Console::from_env(&lookup, app.verbose);
    let job = match app.command {
        CliCommand::Attest(args) => AttestConfig::from_args(args).map(Job::Attest),
        CliCommand::Provenance(args) => AttestConfig::from_args(args).map(Job::Provenance),
        CliCommand::Verify(args) => {
            VerifyConfig::from_args(*args).map(|c| Job::Verify(Box::new(c)))
        }
        CliCommand::Sign(args) => SignConfig::from_args(*args).map(|c| Job::Sign(Box::new(c))),
        CliCommand::Audit(args) => AuditConfig::from_args(args).map(|c| Job::Audit(Box::new(c))),
        CliCommand::SbomDiff(args) => {
            SbomDiffConfig::from_args(args).map(|c| Job::SbomDiff(Box::new(c)))
        }
        CliCommand::Action => inputs::read(env.clone()),
    };
    let result = job
        .map_err(Error::from)
        .and_then(|job| run(&job, &lookup, &console));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&console, &err),
    }
}

/// Runs a job and reports its result through the console and the runner's files.
pub fn run(
    job: &Job,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
) -> Result<(), Error> {
    let (name, config) = match job {
        Job::Attest(c) => ("attest", c),
        Job::Provenance(c) => ("provenance", c),
        Job::Verify(c) => return run_verify(c, env, console),
        Job::Audit(c) => return run_audit(c, env, console),
        Job::SbomDiff(c) => return run_sbom_diff(c, env, console),
        Job::Sign(c) => {
            let report = commands::sign::run(c, env, console)?;
            return publish_attest(&report, c.format, env, console);
        }
    };
    let report = commands::attest::run(name, config, env, console)?;
    publish_attest(&report, config.format, env, console)
}

/// Outputs, summary and the result text of `attest`, `provenance` and `sign`.
fn publish_attest(
    report: &crate::report::AttestReport,
    format: Format,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
) -> Result<(), Error> {
    for w in &report.warnings {
        console.warning(&Location::default(), w);
    }
    publish(
        env,
        &render::outputs::attest(report),
        &render::summary::attest(report),
    )?;
    console.result(&match format {
        Format::Text => render::text::attest(report),
        Format::Json => render::json::attest(report),
    });
    Ok(())
}

/// Runs `verify`: every failed row becomes an error annotation naming its check, and any
/// failure makes the run fail (exit 1) after the outputs and summary are written.
fn run_verify(
    config: &VerifyConfig,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
) -> Result<(), Error> {
    let report = commands::verify::run(config, console)?;
    for w in &report.warnings {
        console.warning(&Location::default(), w);
    }
    // Locally the result text already lists each failure; in Actions each also becomes an
    // annotation.
    let annotate = console.mode() == crate::action::commands::Mode::Actions;
    for row in report.failed().filter(|_| annotate) {
        if let Some(f) = &row.failure {
            let location = Location {
                title: Some(format!("verify: {} check failed", f.check)),
                ..Location::default()
            };
            let bundle = if row.bundle.is_empty() {
                String::new()
            } else {
                format!(" with bundle {}", row.bundle)
            };
            console.error(&location, &format!("{}{bundle}: {}", row.artifact, f));
        }
    }
    publish(
        env,
        &render::outputs::verify(&report),
        &render::summary::verify(&report),
    )?;
    console.result(&match config.format {
        Format::Text => render::text::verify(&report),
        Format::Json => render::json::verify(&report),
    });
    if report.verified() {
        Ok(())
    } else {
        Err(Error::VerificationFailed {
            failed: report.rows.len() - report.verified_count(),
            total: report.rows.len(),
        })
    }
}

/// Runs `audit`: files, outputs and summary are written before the verdict; findings at or
/// above `fail-on-severity` and expired ignore entries fail the run.
fn run_audit(
    config: &AuditConfig,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
) -> Result<(), Error> {
    let report = commands::audit::run(config)?;
    for s in report.scan.skipped.iter().filter(|s| !s.unsupported) {
        console.warning(
            &Location::default(),
            &format!("audit: {} not checked: {}", s.component, s.reason),
        );
    }
    for e in &report.unused_ignores {
        console.notice(
            &Location::default(),
            &format!("audit: the ignore entry for {} matched no finding", e.id),
        );
    }
    publish(
        env,
        &render::audit::outputs(&report),
        &render::audit::summary(&report),
    )?;
    console.result(&match config.format {
        crate::config::AuditOutputFormat::Text => render::audit::text(&report),
        crate::config::AuditOutputFormat::Json => render::audit::json(&report),
        crate::config::AuditOutputFormat::Sarif => render::audit::sarif(&report),
    });
    if !report.expired_ignores.is_empty() {
        return Err(Error::IgnoreExpired {
            ids: report
                .expired_ignores
                .iter()
                .map(|e| format!("{} ({})", e.id, e.expires))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    if report.failing > 0 {
        return Err(Error::Vulnerable {
            failing: report.failing,
            threshold: report.fail_on_severity.clone(),
        });
    }
    Ok(())
}

fn run_sbom_diff(
    config: &SbomDiffConfig,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
) -> Result<(), Error> {
    let report = commands::audit::run_diff(config)?;
    publish(
        env,
        &render::audit::diff_outputs(&report),
        &render::audit::diff_summary(&report),
    )?;
    console.result(&match config.format {
        Format::Text => render::audit::diff_text(&report),
        Format::Json => render::audit::diff_json(&report),
    });
    Ok(())
}

/// Step outputs and the job summary go wherever the runner asks, also for the CLI run
/// from a workflow's `run:` step.
fn publish(
    env: &dyn Fn(&str) -> Option<String>,
    outputs: &crate::action::outputs::Outputs,
    summary: &str,
) -> Result<(), Error> {
    if let Some(path) = env("GITHUB_OUTPUT").filter(|p| !p.is_empty()) {
        outputs.append_to(path.as_ref())?;
    }
    if let Some(path) = env("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        crate::action::summary::append(path.as_ref(), summary)?;
    }
    Ok(())
}

fn fail(console: &Console, err: &Error) -> ExitCode {
    let (file, line) = err.location().unzip();
    let location = Location {
        title: Some("attest-kit".to_owned()),
        file,
        line,
    };
    console.error(&location, &err.one_line());
    if let Some(help) = err.help() {
        console.info(&format!("help: {help}"));
    }
    ExitCode::from(err.exit_code())
}
