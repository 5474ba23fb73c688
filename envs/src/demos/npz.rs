//! Reading numpy's `.npz` archives: arrays by name, with errors that name the file.

use super::{check_spec, DemoError, RawHeader, FORMAT_VERSION};
use crate::spec::EnvSpec;
use ndarray::{ArrayD, Dimension};
use ndarray_npy::{
    ReadNpyError, ReadNpyExt, ReadableElement, ViewElement, ViewNpyError, ViewNpyExt,
};
use std::io::{Read, Seek};
use std::path::Path;
use zip::ZipArchive;

/// A zip archive of npy arrays, read with errors that name the file.
pub(super) struct NpzArchive<'p, R> {
    path: &'p Path,
    zip: ZipArchive<R>,
}

impl<'p, R: Read + Seek> NpzArchive<'p, R> {
    pub(super) fn open(path: &'p Path, reader: R) -> Result<Self, DemoError> {
        let zip = ZipArchive::new(reader).map_err(|e| DemoError::CorruptArchive {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        Ok(Self { path, zip })
    }

    /// The entry name of array `name`: numpy stores `name.npy`, but reads a bare `name` too.
    fn entry_name(&self, name: &str) -> Option<String> {
        [format!("{name}.npy"), name.to_string()]
            .into_iter()
            .find(|entry| self.zip.index_for_name(entry).is_some())
    }

    pub(super) fn contains(&self, name: &str) -> bool {
        self.entry_name(name).is_some()
    }

    /// The raw npy bytes of array `name`.
    fn bytes(&mut self, name: &str) -> Result<Vec<u8>, DemoError> {
        let entry = self
            .entry_name(name)
            .ok_or_else(|| DemoError::MissingArray {
                path: self.path.to_path_buf(),
                array: name.into(),
            })?;
        let corrupt = |reason: String| DemoError::CorruptArchive {
            path: self.path.to_path_buf(),
            reason: format!("entry `{entry}`: {reason}"),
        };
        let mut file = self
            .zip
            .by_name(&entry)
            .map_err(|e| corrupt(e.to_string()))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| corrupt(e.to_string()))?;
        Ok(bytes)
    }

    /// Reads array `name` as float32 with `D`'s number of dimensions.
    pub(super) fn read_f32<D: Dimension>(
        &mut self,
        name: &str,
    ) -> Result<ndarray::Array<f32, D>, DemoError> {
        let bytes = self.bytes(name)?;
        let array = parse_npy::<f32>(&bytes).map_err(|e| self.npy_error(name, e, "float32"))?;
        let ndim = array.ndim();
        array
            .into_dimensionality::<D>()
            .map_err(|_| DemoError::WrongNdim {
                path: self.path.to_path_buf(),
                array: name.into(),
                found: ndim,
                expected: D::NDIM.unwrap_or(ndim),
            })
    }

    /// Reads array `name` as numbers whatever numpy type holds them (float32 or float64, signed
    /// or unsigned integers, booleans as 0 and 1): what other tools' files hold.
    pub(super) fn read_numbers(&mut self, name: &str) -> Result<ArrayD<f64>, DemoError> {
        let bytes = self.bytes(name)?;
        let as_f64 = |a: ArrayD<f64>| a;
        let found = match parse_npy::<f64>(&bytes) {
            Ok(a) => return Ok(as_f64(a)),
            Err(NpyError::Corrupt(reason)) => return Err(self.corrupt(name, reason)),
            Err(NpyError::Dtype(found)) => found,
        };
        macro_rules! try_as {
            ($($t:ty),*) => {$(
                match parse_npy::<$t>(&bytes) {
                    Ok(a) => return Ok(a.mapv(|v| v as f64)),
                    Err(NpyError::Corrupt(reason)) => return Err(self.corrupt(name, reason)),
                    Err(NpyError::Dtype(_)) => {}
                }
            )*};
        }
        try_as!(f32, i64, i32, i16, i8, u64, u32, u16, u8);
        match parse_npy::<bool>(&bytes) {
            Ok(a) => Ok(a.mapv(|v| f64::from(u8::from(v)))),
            Err(NpyError::Corrupt(reason)) => Err(self.corrupt(name, reason)),
            Err(NpyError::Dtype(_)) => Err(DemoError::WrongDtype {
                path: self.path.to_path_buf(),
                array: name.into(),
                found,
                expected: "a number type (float, integer or bool)",
            }),
        }
    }

    fn corrupt(&self, array: &str, reason: String) -> DemoError {
        DemoError::CorruptArray {
            path: self.path.to_path_buf(),
            array: array.into(),
            reason,
        }
    }

    /// Reads, parses and validates the `spec` array.
    pub(super) fn read_spec(&mut self) -> Result<EnvSpec, DemoError> {
        let bytes = self.bytes("spec")?;
        let array = parse_npy::<u8>(&bytes).map_err(|e| self.npy_error("spec", e, "uint8"))?;
        if array.ndim() != 1 {
            return Err(DemoError::WrongNdim {
                path: self.path.to_path_buf(),
                array: "spec".into(),
                found: array.ndim(),
                expected: 1,
            });
        }
        let unreadable = |reason: String| DemoError::UnreadableSpec {
            path: self.path.to_path_buf(),
            reason,
        };
        let json: Vec<u8> = array.iter().copied().collect();
        let text = std::str::from_utf8(&json).map_err(|e| unreadable(format!("not UTF-8: {e}")))?;
        let raw: RawHeader =
            serde_json::from_str(text).map_err(|e| unreadable(format!("bad JSON: {e}")))?;
        if raw.format != FORMAT_VERSION {
            return Err(DemoError::UnsupportedFormat {
                path: self.path.to_path_buf(),
                found: raw.format,
            });
        }
        let spec: EnvSpec = serde_json::from_value(raw.spec)
            .map_err(|e| unreadable(format!("bad env spec: {e}")))?;
        check_spec(self.path, &spec)?;
        Ok(spec)
    }

    fn npy_error(&self, array: &str, e: NpyError, expected: &'static str) -> DemoError {
        let (path, array) = (self.path.to_path_buf(), array.to_string());
        match e {
            NpyError::Dtype(found) => DemoError::WrongDtype {
                path,
                array,
                found,
                expected,
            },
            NpyError::Corrupt(reason) => DemoError::CorruptArray {
                path,
                array,
                reason,
            },
        }
    }
}

/// Why an npy blob could not be read.
enum NpyError {
    /// The element type differs; holds numpy's type descriptor.
    Dtype(String),
    /// Anything else: a bad header or the wrong amount of data.
    Corrupt(String),
}

/// Parses one npy blob into an array of any rank.
///
/// The blob is first viewed in place, which checks the header against the actual data length before
/// anything is allocated (so a damaged header cannot claim an enormous array). Only data of the other
/// byte order, which cannot be viewed in place, is decoded by copying.
fn parse_npy<T>(bytes: &[u8]) -> Result<ArrayD<T>, NpyError>
where
    T: ViewElement + ReadableElement + Clone,
{
    let align = std::mem::align_of::<T>();
    let copy;
    let viewable = if bytes.as_ptr().align_offset(align) == 0 {
        bytes
    } else {
        copy = AlignedBytes::new(bytes, align);
        copy.as_slice()
    };
    match ndarray::ArrayViewD::<T>::view_npy(viewable) {
        Ok(view) => Ok(view.to_owned()),
        Err(ViewNpyError::WrongDescriptor(d)) => Err(NpyError::Dtype(d.to_string())),
        Err(ViewNpyError::NonNativeEndian | ViewNpyError::MisalignedData) => {
            ArrayD::<T>::read_npy(bytes).map_err(|e| match e {
                ReadNpyError::WrongDescriptor(d) => NpyError::Dtype(d.to_string()),
                e => NpyError::Corrupt(e.to_string()),
            })
        }
        Err(e) => Err(NpyError::Corrupt(e.to_string())),
    }
}

/// A copy of a byte slice that starts at an address aligned to `align`, so that a well-formed npy
/// blob's data (padded by its header to a multiple of 16 bytes) can be viewed as `f32`.
struct AlignedBytes {
    buf: Vec<u8>,
    start: usize,
    len: usize,
}

impl AlignedBytes {
    fn new(bytes: &[u8], align: usize) -> Self {
        let mut buf = vec![0u8; bytes.len() + align];
        let start = buf.as_ptr().align_offset(align).min(align);
        buf[start..start + bytes.len()].copy_from_slice(bytes);
        Self {
            buf,
            start,
            len: bytes.len(),
        }
    }

    fn as_slice(&self) -> &[u8] {
        &self.buf[self.start..self.start + self.len]
    }
}
