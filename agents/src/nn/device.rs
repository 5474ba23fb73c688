//! Choosing the compute device at run time.

use super::error::NnError;
use std::fmt;
use std::str::FromStr;

/// Where tensors live and kernels run. CPU is the default; CUDA needs the `cuda` feature.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Device {
    /// The host CPU (multi-threaded matrix products).
    #[default]
    Cpu,
    /// The CUDA GPU with this ordinal.
    Cuda(usize),
}

impl Device {
    /// Whether this build can run on the device (CUDA needs the `cuda` feature).
    pub fn is_compiled(self) -> bool {
        match self {
            Device::Cpu => true,
            Device::Cuda(_) => cfg!(feature = "cuda"),
        }
    }

    /// `Ok(self)` when [`Device::is_compiled`], otherwise [`NnError::CudaNotCompiled`].
    pub fn check_compiled(self) -> Result<Self, NnError> {
        if self.is_compiled() {
            Ok(self)
        } else {
            Err(NnError::CudaNotCompiled(self.to_string()))
        }
    }
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Device::Cpu => write!(f, "cpu"),
            Device::Cuda(0) => write!(f, "cuda"),
            Device::Cuda(i) => write!(f, "cuda:{i}"),
        }
    }
}

impl FromStr for Device {
    type Err = NnError;

    /// Parses `cpu`, `cuda` (ordinal 0) or `cuda:N`, case-insensitively. A CUDA name in a build
    /// without the `cuda` feature is [`NnError::CudaNotCompiled`].
    fn from_str(s: &str) -> Result<Self, NnError> {
        let lower = s.trim().to_ascii_lowercase();
        let device = match lower.as_str() {
            "cpu" => Device::Cpu,
            "cuda" | "gpu" => Device::Cuda(0),
            other => match other.strip_prefix("cuda:").map(str::parse::<usize>) {
                Some(Ok(i)) => Device::Cuda(i),
                _ => return Err(NnError::UnknownDevice(s.to_string())),
            },
        };
        device.check_compiled()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_rejects_unknown_ones() {
        assert_eq!("cpu".parse::<Device>().unwrap(), Device::Cpu);
        assert_eq!(" CPU ".parse::<Device>().unwrap(), Device::Cpu);
        assert!(matches!(
            "tpu".parse::<Device>(),
            Err(NnError::UnknownDevice(_))
        ));
        assert!(matches!(
            "cuda:x".parse::<Device>(),
            Err(NnError::UnknownDevice(_))
        ));
        let cuda = "cuda:1".parse::<Device>();
        if cfg!(feature = "cuda") {
            assert_eq!(cuda.unwrap(), Device::Cuda(1));
        } else {
            assert!(matches!(cuda, Err(NnError::CudaNotCompiled(_))));
        }
        assert_eq!(Device::default(), Device::Cpu);
        assert_eq!(Device::Cuda(2).to_string(), "cuda:2");
    }
}
