//! Startup: read the command line (or the action's inputs), run the job, hand its report
//! to the renderers, and turn errors into one-line reasons and exit codes.

use std::collections::HashMap;
use std::process::ExitCode;

use clap::Parser;

use crate::action::{Console, commands::Location, inputs};
use crate::cli::{App, CliCommand};
use crate::commands;
use crate::config::{
    AttestConfig, AuditConfig, Format, Job, ReproduceConfig, SbomConfig, SbomDiffConfig,
    SignConfig, VerifyConfig, VerifyReleaseConfig,
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
    crate::write::remove_temps_on_signal();
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
        CliCommand::Reproduce(args) => {
            ReproduceConfig::from_args(*args).map(|c| Job::Reproduce(Box::new(c)))
        }
        CliCommand::Sbom(args) => SbomConfig::from_args(args).map(|c| Job::Sbom(Box::new(c))),
        CliCommand::VerifyRelease(args) => {
            VerifyReleaseConfig::from_args(*args).map(|c| Job::VerifyRelease(Box::new(c)))
        }
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
        Job::VerifyRelease(c) => return run_verify_release(c, env, console),
        Job::Audit(c) => return run_audit(c, env, console),
        Job::SbomDiff(c) => return run_sbom_diff(c, env, console),
        Job::Sign(c) => {
            let report = commands::sign::run(c, env, console)?;
            upload_if_asked(&c.as_attest(), &report, env, console)?;
            return publish_attest_with(&report, c.format, env, console, None, &c.output_dir);
        }
        Job::Reproduce(c) => return run_reproduce(c, env, console),
        Job::Sbom(c) => return run_sbom(c, env, console),
    };
    let report = commands::attest::run(name, config, env, console)?;
    let pushed = if config.push_to_github {
        Some(commands::push::run(config, &report, env, console)?)
    } else {
        None
    };
    upload_if_asked(config, &report, env, console)?;
    publish_attest_with(
        &report,
        config.format,
        env,
        console,
        pushed.as_ref(),
        &config.output_dir,
    )
}

/// `upload-release-assets` (by default on `release` events) after `attest` or `sign`.
fn upload_if_asked(
    config: &AttestConfig,
    report: &crate::report::AttestReport,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
) -> Result<(), Error> {
    let upload = config
        .upload_release_assets
        .unwrap_or_else(|| env("GITHUB_EVENT_NAME").as_deref() == Some("release"));
    if upload {
        let uploaded = commands::upload::run(config, report, env, console)?;
        console.info(&render::release::uploaded_text(&uploaded));
    }
    Ok(())
}

/// Outputs, summary and the result text of `attest`, `provenance` and `sign`. An output too
/// long for GitHub is written to a file in `output_dir` and the output holds its path.
fn publish_attest_with(
    report: &crate::report::AttestReport,
    format: Format,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
    pushed: Option<&commands::push::PushReport>,
    output_dir: &std::path::Path,
) -> Result<(), Error> {
    for w in report
        .warnings
        .iter()
        .chain(report.sbom.iter().flat_map(|s| &s.warnings))
    {
        console.warning(&Location::default(), w);
    }
    let mut outputs = render::outputs::attest(report);
    let mut summary = render::summary::attest(report);
    if let Some(p) = pushed {
        render::release::pushed(&mut outputs, &mut summary, p);
    }
    spill_large(&mut outputs, output_dir, console)?;
    publish(env, &outputs, &summary)?;
    console.result(&match format {
        Format::Text => render::text::attest(report),
        Format::Json => render::json::attest(report),
    });
    Ok(())
}

/// Runs `sbom`.
fn run_sbom(
    config: &SbomConfig,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
) -> Result<(), Error> {
    let report = commands::sbom::run(config, env, console)?;
    for w in &report.warnings {
        console.warning(&Location::default(), w);
    }
    publish(
        env,
        &render::outputs::sbom(&report),
        &render::summary::sbom(&report),
    )?;
    console.result(&match config.format {
        Format::Text => render::text::sbom(&report),
        Format::Json => render::json::sbom(&report),
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
    let report = commands::verify::run_env(config, env, console)?;
    for w in &report.warnings {
        console.warning(&Location::default(), w);
    }
    // Locally the result text already lists each failure; in Actions each also becomes an
    // annotation.
    let annotate = console.mode() == crate::action::commands::Mode::Actions;
    for row in report.failed().filter(|_| annotate).take(MAX_ANNOTATIONS) {
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
    let failed = report.failed().count();
    if annotate && failed > MAX_ANNOTATIONS {
        console.error(
            &Location::default(),
            &format!(
                "… and {} more failed checks: the `results` output and the job summary list every one",
                failed - MAX_ANNOTATIONS
            ),
        );
    }
    let mut outputs = render::outputs::verify(&report);
    spill_large(&mut outputs, &config.output_dir, console)?;
    publish(env, &outputs, &render::summary::verify(&report))?;
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

/// Runs `reproduce`: each differing artifact becomes an error annotation with its top
/// difference; any difference fails the run unless `fail-on-difference` is false.
fn run_reproduce(
    config: &ReproduceConfig,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
) -> Result<(), Error> {
    let report = commands::reproduce::run(config, env, console)?;
    for w in &report.warnings {
        console.warning(&Location::default(), w);
    }
    if report.epoch_only {
        publish(env, &render::outputs::reproduce(&report), "")?;
        console.result(&render::text::source_date_epoch(&report));
        return Ok(());
    }
    let annotate = console.mode() == crate::action::commands::Mode::Actions;
    for c in report
        .checks
        .iter()
        .flat_map(|c| &c.comparisons)
        .filter(|c| annotate && !c.identical())
    {
        let location = Location {
            title: Some("reproduce: artifact differs".to_owned()),
            ..Location::default()
        };
        console.error(&location, &render::text::comparison_line(c));
    }
    publish(
        env,
        &render::outputs::reproduce(&report),
        &render::summary::reproduce(&report),
    )?;
    console.result(&match config.format {
        Format::Text => render::text::reproduce(&report),
        Format::Json => render::json::reproduce(&report),
    });
    let (differ, total) = report.counts();
    if report.reproducible() || !config.fail_on_difference {
        Ok(())
    } else {
        Err(Error::NotReproducible { differ, total })
    }
}

/// Runs `verify-release`: like `verify`, failures are annotated and fail the run after the
/// outputs and summary are written.
fn run_verify_release(
    config: &VerifyReleaseConfig,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
) -> Result<(), Error> {
    let report = commands::verify_release::run(config, env, console)?;
    if console.mode() == crate::action::commands::Mode::Actions {
        let lines = render::release::failure_lines(&report);
        let location = Location {
            title: Some("verify-release".to_owned()),
            ..Location::default()
        };
        for line in lines.iter().take(MAX_ANNOTATIONS) {
            console.error(&location, line);
        }
        if lines.len() > MAX_ANNOTATIONS {
            console.error(
                &location,
                &format!(
                    "… and {} more failures: the job summary and `--format json` list every one",
                    lines.len() - MAX_ANNOTATIONS
                ),
            );
        }
    }
    let mut outputs = render::release::outputs(&report);
    spill_large(
        &mut outputs,
        std::path::Path::new(&report.download_dir),
        console,
    )?;
    publish(env, &outputs, &render::release::summary(&report))?;
    console.result(&match config.verify.format {
        Format::Text => render::release::text(&report),
        Format::Json => render::release::json(&report),
    });
    if report.verified() {
        Ok(())
    } else {
        Err(Error::ReleaseFailed {
            failed: report.failures(),
            total: report.checks(),
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
    let report = commands::audit::run(config, env)?;
    for s in report.scan.skipped.iter().filter(|s| !s.unsupported) {
        console.warning(
            &Location::default(),
            &format!("audit: {} not checked: {}", s.component, s.reason),
        );
    }
    if let Some(note) = &report.inputs.osv_fetch_note {
        console.warning(
            &Location::default(),
            &format!(
                "audit: the OSV export could not be downloaded ({note}); the last cached one ({}) was used",
                report.inputs.osv_digest
            ),
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
    let report = commands::audit::run_diff(config, env)?;
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
/// GitHub shows 10 error annotations per step and 50 per job: more is noise in the log.
const MAX_ANNOTATIONS: usize = 50;

/// Moves each output over GitHub's 1 MiB limit into a file in `dir`; the output then holds
/// the file's path.
fn spill_large(
    outputs: &mut crate::action::outputs::Outputs,
    dir: &std::path::Path,
    console: &Console,
) -> Result<(), Error> {
    let spilled = outputs.spill_large(dir);
    crate::write::write_all(&spilled)?;
    for f in &spilled {
        console.info(&format!(
            "{} is over GitHub's 1 MiB output limit; the output holds its path instead",
            f.path.display()
        ));
    }
    Ok(())
}

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
