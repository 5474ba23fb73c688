//! Run directories: one folder per training run holding its configuration (`config.json`), its
//! metrics (`metrics.csv`, and the same scalars for TensorBoard), its weights and its plots. Every file is written atomically, so a run
//! that stops at any point leaves only whole files behind.

use crate::metrics::{self, Table};
use crate::tensorboard::{self, EVENTS_FILE};
use anyhow::{bail, Context, Result};
use costlearn_envs::atomic::write_atomically;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Name of the configuration file.
pub const CONFIG_FILE: &str = "config.json";
/// Name of the metrics file.
pub const METRICS_FILE: &str = "metrics.csv";

/// Seconds since the UNIX epoch.
fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The output folder of one run.
#[derive(Debug)]
pub struct RunDir {
    path: PathBuf,
}

impl RunDir {
    /// Creates `path` (and its parents). An existing folder must be empty unless `force` is set;
    /// with `force` its files are replaced as the run writes them.
    pub fn create(path: impl Into<PathBuf>, force: bool) -> Result<Self> {
        let path = path.into();
        Self::check(&path, force)?;
        std::fs::create_dir_all(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        Ok(Self { path })
    }

    /// Checks, without creating anything, that [`RunDir::create`] would accept `path`: a command
    /// that works before it writes calls this first, so a bad `--out` fails at once.
    pub fn check(path: &Path, force: bool) -> Result<()> {
        if path.exists() {
            if !path.is_dir() {
                bail!("{} exists and is not a directory", path.display());
            }
            let mut entries = std::fs::read_dir(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            if entries.next().is_some() && !force {
                bail!(
                    "{} is not empty (pass --force to write into it anyway)",
                    path.display()
                );
            }
        }
        Ok(())
    }

    /// An existing run directory, to add files to (as `costlearn eval` does).
    pub fn open(path: &Path) -> Result<Self> {
        if !path.is_dir() {
            bail!("{} is not a directory", path.display());
        }
        Ok(Self {
            path: path.to_path_buf(),
        })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path of `name` inside the folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Writes `value` as pretty JSON to `name`, atomically.
    pub fn write_json(&self, name: &str, value: &impl Serialize) -> Result<()> {
        let json = serde_json::to_string_pretty(value).context("cannot serialise to JSON")?;
        self.write(name, json.as_bytes())
    }

    /// Writes the run's configuration to `config.json`.
    pub fn write_config(&self, config: &impl Serialize) -> Result<()> {
        self.write_json(CONFIG_FILE, config)
    }

    /// Writes `bytes` to `name`, atomically.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.file(name);
        write_atomically(&path, |f| f.write_all(bytes))
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// A metrics table written to `metrics.csv`, starting empty (header only once a row arrives).
    pub fn metrics<R: CsvRow>(&self) -> MetricsLog<R> {
        MetricsLog {
            path: self.file(METRICS_FILE),
            events: self.file(EVENTS_FILE),
            start: unix_now(),
            rows: Vec::new(),
            text: String::new(),
        }
    }

    /// The metrics table of a run resumed after iteration `iteration`: `metrics.csv` as written
    /// so far, less any row of a later iteration (one written after the last checkpoint), with
    /// new rows appended after it. The first column must be the iteration.
    pub fn metrics_resumed<R: CsvRow>(&self, iteration: usize) -> Result<MetricsLog<R>> {
        let path = self.file(METRICS_FILE);
        let written = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut lines = written.lines();
        let mut text = match lines.next() {
            Some(header) => format!("{header}\n"),
            None => String::new(),
        };
        for line in lines {
            let first = line.split(',').next().unwrap_or_default();
            match first.parse::<usize>() {
                Ok(i) if i <= iteration => {
                    text.push_str(line);
                    text.push('\n');
                }
                Ok(_) => {}
                Err(_) => bail!("{} has a row without an iteration: {line}", path.display()),
            }
        }
        // The clock of the resumed run goes on from the last row's.
        let earlier = metrics::parse(&text)
            .column("wall_s")
            .last()
            .copied()
            .filter(|w| w.is_finite())
            .unwrap_or(0.0);
        Ok(MetricsLog {
            path,
            events: self.file(EVENTS_FILE),
            start: unix_now() - earlier,
            rows: Vec::new(),
            text,
        })
    }
}

/// A record that is one row of a CSV table.
pub trait CsvRow {
    /// Column names, in order.
    fn header() -> Vec<&'static str>;

    /// The row's cells, in the order of [`CsvRow::header`]; an empty string for a missing value.
    fn cells(&self) -> Vec<String>;
}

/// A CSV file that grows by one row at a time, and its TensorBoard event file (see
/// [`tensorboard`](crate::tensorboard)). Each append rewrites both atomically, so readers never
/// see half a row.
#[derive(Debug)]
pub struct MetricsLog<R> {
    path: PathBuf,
    events: PathBuf,
    /// UNIX time of the run's start, the origin of the events' wall times.
    start: f64,
    rows: Vec<R>,
    text: String,
}

impl<R: CsvRow> MetricsLog<R> {
    /// Adds `row` and rewrites the file: the header, then every row so far.
    pub fn append(&mut self, row: R) -> Result<()> {
        if self.text.is_empty() {
            self.text = csv_line(R::header().iter().map(|h| h.to_string()));
        }
        self.text.push_str(&csv_line(row.cells()));
        self.rows.push(row);
        write_atomically(&self.path, |f| f.write_all(self.text.as_bytes()))
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        let events = tensorboard::events(&self.table(), self.start);
        write_atomically(&self.events, |f| f.write_all(&events))
            .with_context(|| format!("cannot write {}", self.events.display()))
    }

    /// The rows appended by this process (a resumed run's earlier rows are only in the file).
    pub fn rows(&self) -> &[R] {
        &self.rows
    }

    /// Every row of the file so far, earlier runs' included, as numbers.
    pub fn table(&self) -> Table {
        metrics::parse(&self.text)
    }
}

/// A whole CSV table: the header, then one line per row.
pub fn csv_text<R: CsvRow>(rows: &[R]) -> String {
    let mut text = csv_line(R::header().iter().map(|h| h.to_string()));
    for row in rows {
        text.push_str(&csv_line(row.cells()));
    }
    text
}

/// One CSV line; cells holding a comma, a quote or a line break are quoted.
fn csv_line(cells: impl IntoIterator<Item = String>) -> String {
    let quoted: Vec<String> = cells
        .into_iter()
        .map(|c| {
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c
            }
        })
        .collect();
    format!("{}\n", quoted.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Row(u32, Option<f32>, &'static str);

    impl CsvRow for Row {
        fn header() -> Vec<&'static str> {
            vec!["n", "x", "note"]
        }

        fn cells(&self) -> Vec<String> {
            vec![
                self.0.to_string(),
                self.1.map(|v| v.to_string()).unwrap_or_default(),
                self.2.to_string(),
            ]
        }
    }

    #[test]
    fn refuses_a_non_empty_folder_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let run = RunDir::create(dir.path().join("a/b"), false).unwrap();
        run.write_config(&serde_json::json!({"k": 1})).unwrap();
        let err = RunDir::create(run.path(), false).unwrap_err().to_string();
        assert!(
            err.contains("not empty") && err.contains("--force"),
            "{err}"
        );
        assert!(RunDir::create(run.path(), true).is_ok());
        let file = run.file(CONFIG_FILE);
        assert!(RunDir::create(&file, true).is_err());
    }

    #[test]
    fn metrics_have_a_header_and_one_line_per_row() {
        let dir = tempfile::tempdir().unwrap();
        let run = RunDir::create(dir.path(), false).unwrap();
        let mut log = run.metrics::<Row>();
        log.append(Row(1, Some(0.5), "plain")).unwrap();
        log.append(Row(2, None, "a, \"quoted\" one")).unwrap();
        let text = std::fs::read_to_string(run.file(METRICS_FILE)).unwrap();
        assert_eq!(
            text,
            "n,x,note\n1,0.5,plain\n2,,\"a, \"\"quoted\"\" one\"\n"
        );
        assert_eq!(log.rows().len(), 2);
    }
}
