//! Reading back a run's `metrics.csv` (plain numeric columns, as the training commands write it).

use anyhow::{Context, Result};
use std::path::Path;

/// A numeric table: its header and rows of numbers (an empty or unreadable cell is NaN).
#[derive(Debug)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<f64>>,
}

impl Table {
    /// The column names.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The rows, in order.
    pub fn rows(&self) -> &[Vec<f64>] {
        &self.rows
    }

    /// The column `name`, or nothing when the table has no such column.
    pub fn column(&self, name: &str) -> Vec<f64> {
        match self.header.iter().position(|h| h == name) {
            Some(k) => self
                .rows
                .iter()
                .map(|row| row.get(k).copied().unwrap_or(f64::NAN))
                .collect(),
            None => Vec::new(),
        }
    }
}

/// Parses CSV `text` whose first line is the header.
pub fn parse(text: &str) -> Table {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = lines
        .next()
        .map(|h| h.split(',').map(|c| c.trim().to_string()).collect())
        .unwrap_or_default();
    let rows = lines
        .map(|line| {
            line.split(',')
                .map(|c| c.trim().parse().unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    Table { header, rows }
}

/// Reads the CSV file at `path`.
pub fn read(path: &Path) -> Result<Table> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(parse(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_by_name_with_missing_cells_as_nan() {
        let table = parse("epoch,train_nll,heldout_nll\n1,0.5,\n2,0.25,0.75\n");
        assert_eq!(table.column("train_nll"), [0.5, 0.25]);
        let heldout = table.column("heldout_nll");
        assert!(heldout[0].is_nan() && heldout[1] == 0.75);
        assert!(table.column("true_return").is_empty());
    }
}
