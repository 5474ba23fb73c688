//! A run's `metrics.csv` as a TensorBoard event file, so that its curves open in TensorBoard (and
//! in the tools that read its files, such as Weights & Biases).
//!
//! The file is a sequence of TFRecords, each `len: u64 LE · masked_crc32c(len): u32 LE · data ·
//! masked_crc32c(data): u32 LE`, where `masked(c) = ((c >> 15) | (c << 17)) + 0xa282ead8`, and
//! each record's data is one `tensorflow.Event` protocol buffer: first one with `file_version =
//! "brain.Event:2"`, then one per metrics row whose summary holds a scalar (`simple_value`) per
//! column, tagged with the column's name, at the step of the row's first column.

use crate::metrics::Table;
use anyhow::{bail, Context, Result};

/// The event file in a run directory (TensorBoard reads any file whose name holds `tfevents`).
pub const EVENTS_FILE: &str = "events.out.tfevents.costlearn";

/// `tensorflow.Event` (the fields costlearn writes).
#[derive(Clone, PartialEq, prost::Message)]
pub struct Event {
    /// Seconds since the UNIX epoch.
    #[prost(double, tag = "1")]
    pub wall_time: f64,
    /// The step of the summary.
    #[prost(int64, tag = "2")]
    pub step: i64,
    /// What the event holds.
    #[prost(oneof = "What", tags = "3, 5")]
    pub what: Option<What>,
}

/// What an [`Event`] holds.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum What {
    /// The version of the event format, in the first event of a file.
    #[prost(string, tag = "3")]
    FileVersion(String),
    /// Scalars of one step.
    #[prost(message, tag = "5")]
    Summary(Summary),
}

/// `tensorflow.Summary`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Summary {
    /// One value per tag.
    #[prost(message, repeated, tag = "1")]
    pub value: Vec<Value>,
}

/// `tensorflow.Summary.Value` holding a scalar.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Value {
    /// The curve's name.
    #[prost(string, tag = "1")]
    pub tag: String,
    /// The scalar.
    #[prost(float, optional, tag = "2")]
    pub simple_value: Option<f32>,
}

/// The event file of `table`: one event per row at the step of its first column, a scalar for
/// every other finite cell. A row's wall time is `start + wall_s` where the table has a `wall_s`
/// column, `start` otherwise.
pub fn events(table: &Table, start: f64) -> Vec<u8> {
    let header = table.header();
    let wall = table.column("wall_s");
    let mut out = Vec::new();
    record(
        &mut out,
        &Event {
            wall_time: start,
            step: 0,
            what: Some(What::FileVersion("brain.Event:2".into())),
        },
    );
    for (i, row) in table.rows().iter().enumerate() {
        let value = header
            .iter()
            .zip(row)
            .skip(1)
            .filter(|(_, v)| v.is_finite())
            .map(|(tag, v)| Value {
                tag: tag.clone(),
                simple_value: Some(*v as f32),
            })
            .collect();
        let step = row
            .first()
            .copied()
            .filter(|s| s.is_finite())
            .unwrap_or(i as f64);
        record(
            &mut out,
            &Event {
                wall_time: start
                    + wall
                        .get(i)
                        .copied()
                        .filter(|w| w.is_finite())
                        .unwrap_or(0.0),
                step: step as i64,
                what: Some(What::Summary(Summary { value })),
            },
        );
    }
    out
}

/// The events of an event file, each record's checksums checked.
pub fn read(bytes: &[u8]) -> Result<Vec<Event>> {
    let mut events = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let take = |from: usize, n: usize| {
            bytes
                .get(from..from + n)
                .context("the event file ends inside a record")
        };
        let len_bytes = take(at, 8)?;
        let len = u64::from_le_bytes(len_bytes.try_into()?) as usize;
        let len_crc = u32::from_le_bytes(take(at + 8, 4)?.try_into()?);
        if len_crc != masked_crc(len_bytes) {
            bail!("the length of the record at byte {at} fails its checksum");
        }
        let data = take(at + 12, len)?;
        let data_crc = u32::from_le_bytes(take(at + 12 + len, 4)?.try_into()?);
        if data_crc != masked_crc(data) {
            bail!("the record at byte {at} fails its checksum");
        }
        events.push(prost::Message::decode(data).context("a record is not an Event")?);
        at += 16 + len;
    }
    Ok(events)
}

/// Appends `event` as one TFRecord.
fn record(out: &mut Vec<u8>, event: &Event) {
    let data = prost::Message::encode_to_vec(event);
    let len = (data.len() as u64).to_le_bytes();
    out.extend_from_slice(&len);
    out.extend_from_slice(&masked_crc(&len).to_le_bytes());
    out.extend_from_slice(&data);
    out.extend_from_slice(&masked_crc(&data).to_le_bytes());
}

/// TFRecord's masked CRC-32C.
fn masked_crc(bytes: &[u8]) -> u32 {
    let c = crc32c::crc32c(bytes);
    c.rotate_right(15).wrapping_add(0xa282_ead8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics;

    #[test]
    fn rows_become_scalar_events_that_read_back() {
        let table =
            metrics::parse("iteration,wall_s,true_return,ess\n1,0.5,-1200.5,\n2,1.25,-300,0.8\n");
        let bytes = events(&table, 1000.0);
        let read_back = read(&bytes).unwrap();
        assert_eq!(read_back.len(), 3);
        assert_eq!(
            read_back[0].what,
            Some(What::FileVersion("brain.Event:2".into()))
        );
        let scalars = |e: &Event| -> Vec<(String, f32)> {
            match &e.what {
                Some(What::Summary(s)) => s
                    .value
                    .iter()
                    .map(|v| (v.tag.clone(), v.simple_value.unwrap()))
                    .collect(),
                _ => panic!("not a summary: {e:?}"),
            }
        };
        assert_eq!((read_back[1].step, read_back[1].wall_time), (1, 1000.5));
        // The empty cell is left out.
        assert_eq!(
            scalars(&read_back[1]),
            [("wall_s".into(), 0.5), ("true_return".into(), -1200.5)]
        );
        assert_eq!(read_back[2].step, 2);
        assert_eq!(scalars(&read_back[2])[2], ("ess".into(), 0.8));

        // A flipped byte fails its checksum.
        let mut broken = bytes.clone();
        let last = broken.len() - 6;
        broken[last] ^= 1;
        assert!(read(&broken).unwrap_err().to_string().contains("checksum"));
        assert!(read(&bytes[..bytes.len() - 2]).is_err());
    }

    #[test]
    fn the_masked_crc_matches_tensorflow_s() {
        // CRC-32C of "123456789" is 0xe3069283 (RFC 3720); TFRecord's mask of it, computed apart
        // from this code, is 0xc78ab0e5.
        assert_eq!(crc32c::crc32c(b"123456789"), 0xe306_9283);
        assert_eq!(masked_crc(b"123456789"), 0xc78a_b0e5);
    }
}
