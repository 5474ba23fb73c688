//! The native half of the `costlearn` Python package: costlearn's registered tasks stepped from
//! Python (one copy, or many in lock-step with the GIL released), its rollout engine, and its
//! demonstration files read into and written from numpy arrays, and its learners training into run
//! folders. The Gymnasium classes and the learner classes around it are in `costlearn/`.

use pyo3::prelude::*;

mod demos;
mod error;
mod learners;
mod task;

/// The module `costlearn._costlearn`.
#[pymodule]
fn _costlearn(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("CostlearnError", m.py().get_type::<error::CostlearnError>())?;
    m.add_class::<task::NativeEnv>()?;
    m.add_class::<task::NativeVecEnv>()?;
    m.add_function(wrap_pyfunction!(task::tasks, m)?)?;
    m.add_function(wrap_pyfunction!(task::spec, m)?)?;
    m.add_function(wrap_pyfunction!(task::episode_seed, m)?)?;
    m.add_function(wrap_pyfunction!(task::rollout, m)?)?;
    m.add_function(wrap_pyfunction!(demos::load_demos, m)?)?;
    m.add_function(wrap_pyfunction!(demos::save_demos, m)?)?;
    m.add_class::<learners::RunPolicy>()?;
    m.add_function(wrap_pyfunction!(learners::train, m)?)?;
    m.add_function(wrap_pyfunction!(learners::evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(learners::run_bench, m)?)?;
    m.add_function(wrap_pyfunction!(learners::run_cost, m)?)?;
    Ok(())
}
