//! A learner's weights as one safetensors file: the policy, the value function and both
//! normalisers' statistics, what `train rl` writes as `weights.safetensors`.

use super::{Ppo, Result, RunningMeanStd};
use crate::nn::{Device, NnError, ParamSet};
use crate::policy::TrainablePolicy;
use ndarray::{Array1, Array2};
use std::path::Path;

impl Ppo {
    /// Every weight and statistic in one CPU [`ParamSet`]: `policy/…`, `value/…`, and
    /// `obs_norm/{count,mean,var}`, `return_norm/{count,mean,var}`.
    fn export(&self) -> crate::nn::Result<ParamSet> {
        let mut all = ParamSet::new(Device::Cpu)?;
        for (prefix, set) in [
            ("policy", self.policy.params()),
            ("value", &self.value_params),
        ] {
            for name in set.names() {
                let id = set.id(name).expect("a listed name");
                all.add(format!("{prefix}/{name}"), set.get(id))?;
            }
        }
        for (prefix, stats) in [
            ("obs_norm", &self.obs_norm),
            ("return_norm", &self.return_norm),
        ] {
            let row = |v: &Array1<f64>| Array2::from_shape_fn((1, v.len()), |(_, j)| v[j] as f32);
            all.add(
                format!("{prefix}/count"),
                Array2::from_elem((1, 1), stats.count() as f32),
            )?;
            all.add(format!("{prefix}/mean"), row(stats.mean()))?;
            all.add(format!("{prefix}/var"), row(stats.var()))?;
        }
        Ok(all)
    }

    /// Saves the policy, the value function and the normalisers to one safetensors file,
    /// atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        Ok(self.export()?.save(path)?)
    }

    /// Loads weights saved by [`Ppo::save`] from a learner of the same architecture. On error
    /// nothing changes.
    pub fn load(&mut self, path: &Path) -> Result<()> {
        let mut all = self.export()?;
        all.load(path)?;
        let get = |name: &str| all.get(all.id(name).expect("exported names"));
        let mut policy = self.policy.params().clone();
        let mut value = self.value_params.clone();
        for (prefix, set) in [("policy", &mut policy), ("value", &mut value)] {
            for name in set.names().to_vec() {
                let id = set.id(&name).expect("a listed name");
                set.set(id, &get(&format!("{prefix}/{name}")))?;
            }
        }
        let stats = |prefix: &str| {
            let to64 = |a: Array2<f32>| a.row(0).mapv(f64::from);
            RunningMeanStd::from_parts(
                f64::from(get(&format!("{prefix}/count"))[[0, 0]]),
                to64(get(&format!("{prefix}/mean"))),
                to64(get(&format!("{prefix}/var"))),
            )
            .map_err(|reason| NnError::BadWeights {
                path: path.to_path_buf(),
                reason: format!("{prefix}: {reason}"),
            })
        };
        let (obs_norm, return_norm) = (stats("obs_norm")?, stats("return_norm")?);
        *self.policy.params_mut() = policy;
        self.value_params = value;
        self.obs_norm = obs_norm;
        self.return_norm = return_norm;
        Ok(())
    }
}
