//! Every setting of a method reachable without a rebuild: a method's settings as one tree (the
//! same structs the library uses, through serde), overlaid by a file (`--config`) and by
//! assignments to its leaves (`--set key.path=value`), then read back into the structs.
//!
//! A key that the tree does not have is refused, naming the allowed keys at that level and the
//! nearest one; a value of the wrong type is refused naming its key. TOML has no null, so the
//! string `none` unsets an optional setting (`learner.gcl.cost.shaping = "none"`) wherever the
//! setting is not itself text.

use anyhow::{bail, Context, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use std::path::Path;

/// `value` as a settings tree.
pub fn tree_of(value: &impl Serialize) -> Result<Value> {
    // Through text, so that an `f32` reads back as the number written (`0.1`, not 0.10000000149).
    let text = serde_json::to_string(value).context("cannot write the settings")?;
    Ok(serde_json::from_str(&text)?)
}

/// `tree` read back into the settings `T`; a value of the wrong type is named by its key.
pub fn from_tree<T: DeserializeOwned>(tree: Value) -> Result<T> {
    serde_path_to_error::deserialize(tree).map_err(|err| {
        let key = err.path().to_string();
        anyhow::anyhow!("setting `{key}`: {}", err.into_inner())
    })
}

/// Overlays `layer` onto `base`: each key of `layer` must be a key of `base` (at the same place),
/// objects are merged key by key, and anything else replaces what `base` holds. `at` is the
/// path of `base` (empty at the root), for the messages.
pub fn overlay(base: &mut Value, layer: &Value, at: &str) -> Result<()> {
    let Value::Object(layer) = layer else {
        *base = if layer.as_str() == Some(NONE) && !base.is_string() {
            Value::Null
        } else {
            layer.clone()
        };
        return Ok(());
    };
    let Value::Object(base) = base else {
        // An unset option (`null`) or a value of another shape takes the whole layer; reading
        // the tree back checks it.
        *base = Value::Object(layer.clone());
        return Ok(());
    };
    for (key, value) in layer {
        let path = join(at, key);
        let Some(slot) = base.get_mut(key) else {
            bail!("{}", unknown_key(&path, key, base));
        };
        overlay(slot, value, &path)?;
    }
    Ok(())
}

/// Applies one `key.path=value` assignment to `tree`. The value is read as TOML (`0.1`, `true`,
/// `[64, 64]`, `"text"`, `{ segment = { len = 10 } }`); anything that is not TOML is a string.
pub fn assign(tree: &mut Value, assignment: &str) -> Result<()> {
    let Some((key, text)) = assignment.split_once('=') else {
        bail!("--set {assignment}: write it as key.path=value");
    };
    let key = key.trim();
    if key.is_empty() {
        bail!("--set {assignment}: the key is empty");
    }
    set_value(tree, key, parse_value(text.trim())).with_context(|| format!("--set {assignment}"))
}

/// Sets the leaf at the dotted `key` path of `tree` to `value` (see [`overlay`] for the checks).
pub fn set_value(tree: &mut Value, key: &str, value: Value) -> Result<()> {
    let mut layer = value;
    for part in key.rsplit('.') {
        let mut map = Map::new();
        map.insert(part.to_string(), layer);
        layer = Value::Object(map);
    }
    overlay(tree, &layer, "")
}

/// `settings` with each `(key, value)` of `set` applied (see [`set_value`]).
pub fn with_values<S: Serialize + DeserializeOwned>(
    settings: S,
    set: &[(String, Value)],
) -> Result<S> {
    if set.is_empty() {
        return Ok(settings);
    }
    let mut tree = tree_of(&settings)?;
    for (key, value) in set {
        set_value(&mut tree, key, value.clone())?;
    }
    from_tree(tree)
}

/// A value as TOML reads it, or the text itself.
fn parse_value(text: &str) -> Value {
    let parsed: Result<toml::Table, _> = toml::from_str(&format!("v = {text}"));
    match parsed.ok().and_then(|mut t| t.remove("v")) {
        Some(v) => serde_json::to_value(v).unwrap_or_else(|_| Value::String(text.into())),
        None => Value::String(text.to_string()),
    }
}

/// The settings tree of the file at `path`: TOML (`.toml`) or JSON; a run's `config.json` holds
/// its tree under `settings`.
pub fn read_file(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let tree: Value = if path.extension().is_some_and(|e| e == "toml") {
        let table: toml::Table = toml::from_str(&text)
            .with_context(|| format!("{} is not valid TOML", path.display()))?;
        serde_json::to_value(table)?
    } else {
        serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid JSON", path.display()))?
    };
    Ok(match tree {
        Value::Object(mut map) if map.contains_key(SETTINGS_KEY) => {
            map.remove(SETTINGS_KEY).unwrap_or_default()
        }
        other => other,
    })
}

/// `value` as TOML, the form `--config` reads; an unset option (`null`) is written `"none"`, which
/// reads back as unset.
pub fn to_toml(value: &impl Serialize) -> Result<String> {
    fn nulls_as_none(v: Value) -> Value {
        match v {
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| (k, nulls_as_none(v)))
                    .collect(),
            ),
            Value::Null => Value::String(NONE.to_string()),
            other => other,
        }
    }
    let tree = nulls_as_none(tree_of(value)?);
    toml::to_string(&tree).context("cannot write the settings as TOML")
}

/// The value that unsets an optional setting (TOML has no null).
const NONE: &str = "none";

/// The key of a run's `config.json` that holds the settings it was trained with.
pub const SETTINGS_KEY: &str = "settings";

/// `at.key`, or `key` at the root.
fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

/// The refusal of `key` at `path`, naming the keys allowed there and the nearest of them.
fn unknown_key(path: &str, key: &str, allowed: &Map<String, Value>) -> String {
    let names: Vec<&str> = allowed.keys().map(String::as_str).collect();
    let nearest = names
        .iter()
        .min_by_key(|name| edit_distance(key, name))
        .filter(|name| edit_distance(key, name) <= key.len().max(2) / 2 + 1);
    let hint = nearest.map_or(String::new(), |n| format!(" (did you mean `{n}`?)"));
    format!(
        "unknown setting `{path}`{hint}; the settings there are {}",
        names.join(", ")
    )
}

/// Levenshtein distance between two keys.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Inner {
        alpha: f32,
        hidden: Vec<usize>,
        limit: Option<f32>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Outer {
        name: String,
        inner: Inner,
    }

    fn defaults() -> Outer {
        Outer {
            name: "x".into(),
            inner: Inner {
                alpha: 1.0,
                hidden: vec![64, 64],
                limit: None,
            },
        }
    }

    #[test]
    fn assignments_reach_nested_leaves_and_read_back_into_the_structs() {
        let mut tree = tree_of(&defaults()).unwrap();
        assign(&mut tree, "inner.alpha=0.1").unwrap();
        assign(&mut tree, "inner.hidden=[32]").unwrap();
        assign(&mut tree, "inner.limit=2.5").unwrap();
        assign(&mut tree, "name=pendulum").unwrap();
        let back: Outer = from_tree(tree).unwrap();
        assert_eq!(back.inner.alpha, 0.1);
        assert_eq!(back.inner.hidden, vec![32]);
        assert_eq!(back.inner.limit, Some(2.5));
        assert_eq!(back.name, "pendulum");
    }

    #[test]
    fn none_unsets_an_option_and_stays_text_where_the_setting_is_text() {
        let mut tree = tree_of(&defaults()).unwrap();
        assign(&mut tree, "inner.limit=2.5").unwrap();
        assign(&mut tree, "inner.limit=none").unwrap();
        assign(&mut tree, "name=none").unwrap();
        let back: Outer = from_tree(tree.clone()).unwrap();
        assert_eq!((back.inner.limit, back.name.as_str()), (None, "none"));
        // Written as TOML and read back, the unset option stays unset.
        let text = to_toml(&back).unwrap();
        assert!(text.contains("limit = \"none\""), "{text}");
        let mut again = tree_of(&defaults()).unwrap();
        assign(&mut again, "inner.limit=3").unwrap();
        overlay(
            &mut again,
            &serde_json::to_value(toml::from_str::<toml::Table>(&text).unwrap()).unwrap(),
            "",
        )
        .unwrap();
        assert_eq!(from_tree::<Outer>(again).unwrap(), back);
        // A setting that is not optional refuses it by name.
        assign(&mut tree, "inner.alpha=none").unwrap();
        let err = from_tree::<Outer>(tree).unwrap_err().to_string();
        assert!(err.starts_with("setting `inner.alpha`"), "{err}");
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_named() {
        let mut tree = tree_of(&defaults()).unwrap();
        let err = format!("{:#}", assign(&mut tree, "inner.alpah=0.1").unwrap_err());
        assert!(err.contains("unknown setting `inner.alpah`"), "{err}");
        assert!(err.contains("did you mean `alpha`?"), "{err}");
        assert!(err.contains("alpha, hidden, limit"), "{err}");
        assert!(assign(&mut tree, "inner").is_err());
        assign(&mut tree, "inner.hidden=lots").unwrap();
        let err = from_tree::<Outer>(tree).unwrap_err().to_string();
        assert!(err.starts_with("setting `inner.hidden`"), "{err}");
    }

    #[test]
    fn a_file_overlays_the_defaults_and_a_run_config_gives_its_settings() {
        let dir = tempfile::tempdir().unwrap();
        let toml_path = dir.path().join("s.toml");
        std::fs::write(&toml_path, "[inner]\nalpha = 0.5\n").unwrap();
        let mut tree = tree_of(&defaults()).unwrap();
        overlay(&mut tree, &read_file(&toml_path).unwrap(), "").unwrap();
        assert_eq!(from_tree::<Outer>(tree).unwrap().inner.alpha, 0.5);
        let json_path = dir.path().join("config.json");
        let run =
            serde_json::json!({"command": "train x", "settings": tree_of(&defaults()).unwrap()});
        std::fs::write(&json_path, run.to_string()).unwrap();
        assert_eq!(
            read_file(&json_path).unwrap(),
            tree_of(&defaults()).unwrap()
        );
    }
}
