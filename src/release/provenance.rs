//! Provenance files among release assets: every subject digest must match the asset of
//! that name. The seed's build-provenance.json names no subjects; that is noted, not failed
//! (its signature is still verified like any other asset's).

use std::collections::BTreeMap;

use serde_json::Value;

use super::ProvenanceRow;

/// Checks a provenance file against the downloaded assets (name → sha256 hex).
pub fn check(file: &str, text: &str, assets: &BTreeMap<String, String>) -> Vec<ProvenanceRow> {
    let row = |subject: Option<String>, digest: Option<String>| ProvenanceRow {
        file: file.to_owned(),
        subject,
        digest,
        note: None,
        failure: None,
    };
    let doc: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let mut r = row(None, None);
            r.failure = Some(format!("not JSON: {e}"));
            return vec![r];
        }
    };
    let Some(subjects) = doc.get("subject").and_then(Value::as_array) else {
        let mut r = row(None, None);
        if doc.get("buildType").is_some() && doc.get("builder").is_some() {
            r.note = Some(
                "legacy build-provenance.json: it names no subjects; its signature is verified"
                    .to_owned(),
            );
        } else {
            r.failure = Some(
                "neither an in-toto statement (subject) nor the seed's build-provenance.json"
                    .to_owned(),
            );
        }
        return vec![r];
    };
    if subjects.is_empty() {
        let mut r = row(None, None);
        r.failure = Some("its subject list is empty".to_owned());
        return vec![r];
    }
    subjects
        .iter()
        .map(|s| {
            let name = s.get("name").and_then(Value::as_str).map(str::to_owned);
            let sha = s
                .pointer("/digest/sha256")
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase);
            let mut r = row(name.clone(), sha.as_ref().map(|h| format!("sha256:{h}")));
            // Subjects are often recorded with their build path (dist/x.whl); assets are
            // flat, so the last component is what is compared.
            let base = name
                .as_deref()
                .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n));
            r.failure = match (base, &sha) {
                (_, None) => Some("subject has no sha256 digest".to_owned()),
                (None, _) => Some("subject has no name".to_owned()),
                (Some(b), Some(h)) => match assets.get(b) {
                    None => Some(format!("{b} is not among the release's assets")),
                    Some(actual) if actual != h => Some(format!(
                        "the release's {b} has sha256:{actual}, not the sha256:{h} the provenance records"
                    )),
                    Some(_) => None,
                },
            };
            r
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_match_assets() {
        let assets: BTreeMap<String, String> = [
            ("a.whl".to_owned(), "aa".to_owned()),
            ("b.tar.gz".to_owned(), "bb".to_owned()),
        ]
        .into();
        let st = r#"{"_type":"https://in-toto.io/Statement/v1","subject":[
            {"name":"dist/a.whl","digest":{"sha256":"aa"}},
            {"name":"b.tar.gz","digest":{"sha256":"cc"}},
            {"name":"c.zip","digest":{"sha256":"dd"}}]}"#;
        let rows = check("p.intoto.json", st, &assets);
        assert_eq!(rows[0].failure, None);
        assert!(
            rows[1]
                .failure
                .as_deref()
                .is_some_and(|f| f.contains("not the sha256:cc"))
        );
        assert!(
            rows[2]
                .failure
                .as_deref()
                .is_some_and(|f| f.contains("not among"))
        );
        let legacy = r#"{"buildType":"x","builder":{"id":"y"}}"#;
        let rows = check("build-provenance.json", legacy, &assets);
        assert!(rows[0].failure.is_none() && rows[0].note.is_some());
    }
}
