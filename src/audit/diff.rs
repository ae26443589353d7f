//! What changed between two SBOMs: components added, removed, upgraded or downgraded, and
//! licence changes. Components are keyed by ecosystem and normalised name (from the PURL,
//! or the name when there is none).

use std::collections::BTreeMap;

use serde::Serialize;

use super::sbom::Component;
use super::version::{Ecosystem, Version};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    Added,
    Removed,
    Upgraded,
    Downgraded,
    /// The version string changed but the two do not order (or are equal when normalised).
    Changed,
    LicenseChanged,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub kind: ChangeKind,
    pub component: String,
    pub old_version: Option<String>,
    pub new_version: Option<String>,
    pub old_license: Option<String>,
    pub new_license: Option<String>,
}

struct Entry<'a> {
    eco: Option<Ecosystem>,
    c: &'a Component,
    version: Option<String>,
}

fn key_of(c: &Component) -> (String, Entry<'_>) {
    if let Ok((eco, name, version, _)) = super::identify(c) {
        return (
            format!("{}:{}", eco.osv_name(), eco.normalize_name(&name)),
            Entry {
                eco: Some(eco),
                c,
                version: Some(version),
            },
        );
    }
    let ty = c
        .purl
        .as_deref()
        .and_then(|p| super::purl::Purl::parse(p).ok())
        .map(|p| format!("{}:{}", p.ty, p.package_name()));
    (
        ty.unwrap_or_else(|| format!("name:{}", c.name)),
        Entry {
            eco: None,
            c,
            version: c.version.clone(),
        },
    )
}

fn index(components: &[Component]) -> BTreeMap<String, Vec<Entry<'_>>> {
    let mut m: BTreeMap<String, Vec<Entry<'_>>> = BTreeMap::new();
    for c in components {
        let (k, e) = key_of(c);
        let list = m.entry(k).or_default();
        if !list.iter().any(|x| x.version == e.version) {
            list.push(e);
        }
    }
    m
}

fn display(e: &Entry<'_>) -> String {
    e.c.purl
        .as_deref()
        .and_then(|p| super::purl::Purl::parse(p).ok())
        .map(|p| p.package_name())
        .unwrap_or_else(|| e.c.name.clone())
}

pub fn diff(old: &[Component], new: &[Component]) -> Vec<Change> {
    let (a, b) = (index(old), index(new));
    let mut out = Vec::new();
    let change = |kind, o: Option<&Entry<'_>>, n: Option<&Entry<'_>>| Change {
        kind,
        component: n.or(o).map(display).unwrap_or_default(),
        old_version: o.and_then(|e| e.version.clone()),
        new_version: n.and_then(|e| e.version.clone()),
        old_license: o.map(|e| e.c.license.clone()).filter(|l| !l.is_empty()),
        new_license: n.map(|e| e.c.license.clone()).filter(|l| !l.is_empty()),
    };
    for (k, olds) in &a {
        let Some(news) = b.get(k) else {
            for o in olds {
                out.push(change(ChangeKind::Removed, Some(o), None));
            }
            continue;
        };
        // One version on each side (the usual case): an upgrade, downgrade or no change.
        if let ([o], [n]) = (olds.as_slice(), news.as_slice()) {
            if o.version != n.version {
                let ord = match (o.eco, &o.version, &n.version) {
                    (Some(eco), Some(ov), Some(nv)) => Version::parse(eco, ov)
                        .zip(Version::parse(eco, nv))
                        .and_then(|(x, y)| x.cmp_same(&y)),
                    _ => None,
                };
                let kind = match ord {
                    Some(std::cmp::Ordering::Less) => ChangeKind::Upgraded,
                    Some(std::cmp::Ordering::Greater) => ChangeKind::Downgraded,
                    _ => ChangeKind::Changed,
                };
                out.push(change(kind, Some(o), Some(n)));
            }
            if o.c.license != n.c.license {
                out.push(change(ChangeKind::LicenseChanged, Some(o), Some(n)));
            }
            continue;
        }
        // Several versions side by side (npm trees): compare the version sets.
        for o in olds
            .iter()
            .filter(|o| !news.iter().any(|n| n.version == o.version))
        {
            out.push(change(ChangeKind::Removed, Some(o), None));
        }
        for n in news
            .iter()
            .filter(|n| !olds.iter().any(|o| o.version == n.version))
        {
            out.push(change(ChangeKind::Added, None, Some(n)));
        }
    }
    for (k, news) in &b {
        if !a.contains_key(k) {
            for n in news {
                out.push(change(ChangeKind::Added, None, Some(n)));
            }
        }
    }
    out
}
