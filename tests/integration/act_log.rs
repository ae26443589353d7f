//! Reads act's `--json` log (one JSON event a line) for one job: its result, the outputs and
//! job summary one step set, the `::error::` annotations and the plain messages. Shared by
//! the end-to-end tests and the release-job test.

use serde_json::Value;

#[derive(Debug, Default)]
pub(crate) struct ActRun {
    pub(crate) result: Option<String>,
    pub(crate) outputs: serde_json::Map<String, Value>,
    pub(crate) summary: String,
    pub(crate) errors: Vec<String>,
    /// Every message of the job, one a line.
    pub(crate) log: String,
}

/// The events of `job`; outputs and summary only from the step whose id is `step`.
pub(crate) fn parse(text: &str, job: &str, step: &str) -> ActRun {
    let mut run = ActRun::default();
    for line in text.lines() {
        let Ok(ev) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if ev["jobID"] != job {
            continue;
        }
        if let Some(msg) = ev["msg"].as_str() {
            run.log.push_str(msg);
            run.log.push('\n');
        }
        let ids: Vec<&str> = ev["stepID"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(r) = ev["jobResult"].as_str() {
            run.result = Some(r.to_owned());
        }
        match ev["command"].as_str() {
            Some("set-output") if ids == [step] => {
                run.outputs.insert(
                    ev["name"].as_str().unwrap_or("").to_owned(),
                    ev["arg"].clone(),
                );
            }
            Some("summary") if ids == [step] => {
                run.summary.push_str(ev["content"].as_str().unwrap_or(""))
            }
            Some("error") => run.errors.push(ev["arg"].as_str().unwrap_or("").to_owned()),
            _ => {}
        }
    }
    run
}
