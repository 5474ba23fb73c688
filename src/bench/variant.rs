//! Named variants of a suite's algorithms: a built-in algorithm with some of its settings changed
//! (the keys of `train <method> --print-config`), written one by one (`[[variant]]`) or expanded
//! from a sweep over the values of one key (`[[sweep]]`).
//!
//! ```toml
//! [[variant]]
//! name = "gcl-alpha1"
//! method = "gcl"
//! set = { "learner.gcl.alpha" = 1.0 }
//!
//! [[sweep]]
//! method = "gcl"
//! key = "learner.gcl.disc_steps"
//! values = [3, 10, 30]        # variants gcl-disc_steps=3, gcl-disc_steps=10, gcl-disc_steps=30
//! ```

use super::suite::Algorithm;
use anyhow::{bail, Result};
use serde::Deserialize;
use serde_json::Value;

/// A built-in algorithm with some of its settings changed, under its own name.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// Its name: the report's row label and the run folders' name.
    pub name: String,
    /// The algorithm it changes.
    pub method: Algorithm,
    /// The settings it changes: key path and value.
    pub set: Vec<(String, Value)>,
}

/// A key swept over values, and the variant of each value.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    /// The swept key.
    pub key: String,
    /// Each value (as a number where it is one) and the name of its variant.
    pub points: Vec<(Option<f64>, String)>,
}

/// One `[[variant]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct VariantFile {
    name: String,
    method: Algorithm,
    #[serde(default)]
    set: toml::Table,
}

/// One `[[sweep]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SweepFile {
    method: Algorithm,
    key: String,
    values: Vec<toml::Value>,
}

/// The variants written and those the sweeps expand to (in file order), and the sweeps.
pub(super) fn expand(
    variants: Vec<VariantFile>,
    sweeps: Vec<SweepFile>,
) -> Result<(Vec<Variant>, Vec<Sweep>)> {
    let mut out = Vec::new();
    for v in variants {
        let mut set = Vec::new();
        flatten(&to_json(toml::Value::Table(v.set))?, "", &mut set);
        out.push(Variant {
            name: v.name,
            method: v.method,
            set,
        });
    }
    let mut swept = Vec::new();
    for s in sweeps {
        if s.values.is_empty() {
            bail!("the sweep over `{}` has no values", s.key);
        }
        let last = s.key.rsplit('.').next().unwrap_or(&s.key).to_string();
        let mut points = Vec::new();
        for value in s.values {
            let value = to_json(value)?;
            let shown = match &value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            let name = format!("{}-{last}={shown}", s.method);
            points.push((value.as_f64(), name.clone()));
            out.push(Variant {
                name,
                method: s.method,
                set: vec![(s.key.clone(), value)],
            });
        }
        swept.push(Sweep { key: s.key, points });
    }
    for (i, v) in out.iter().enumerate() {
        let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.=".contains(c);
        if v.name.is_empty() || !v.name.chars().all(allowed) {
            bail!(
                "variant name `{}`: use letters, digits and - _ . = only (it names run folders)",
                v.name
            );
        }
        if out[..i].iter().any(|w| w.name == v.name) || Algorithm::named(&v.name).is_some() {
            bail!("variant name `{}` is taken", v.name);
        }
    }
    Ok((out, swept))
}

fn to_json(value: toml::Value) -> Result<Value> {
    Ok(serde_json::to_value(value)?)
}

/// Every leaf of `tree` with its dotted key path.
fn flatten(tree: &Value, at: &str, out: &mut Vec<(String, Value)>) {
    match tree {
        Value::Object(map) => {
            for (key, value) in map {
                let path = if at.is_empty() {
                    key.clone()
                } else {
                    format!("{at}.{key}")
                };
                flatten(value, &path, out);
            }
        }
        leaf => out.push((at.to_string(), leaf.clone())),
    }
}
