"""Demonstration files read into and written from numpy arrays."""

from pathlib import Path

import numpy as np
import pytest

import costlearn

SHIPPED = Path(__file__).resolve().parents[2] / "demos"


def test_a_shipped_file_loads_with_its_spec():
    demos = costlearn.load_demos(SHIPPED / "pendulum.npz")
    spec = demos["spec"]
    assert spec["name"] == "pendulum"
    n, steps, obs_dim = demos["obs"].shape
    assert steps == spec["horizon"] + 1 and obs_dim == 3
    assert demos["acts"].shape == (n, spec["horizon"], 1)
    assert demos["rews"].shape == (n, spec["horizon"])
    assert demos["obs"].dtype == np.float32


def test_saved_arrays_load_back_equal(tmp_path):
    ref = costlearn.rollout("gridworld", 3, seed=1)
    path = tmp_path / "grid.npz"
    costlearn.save_demos(path, obs=ref["obs"], acts=ref["acts"], rews=ref["rews"], env="gridworld")
    back = costlearn.load_demos(path)
    for key in ("obs", "acts", "rews"):
        np.testing.assert_array_equal(back[key], ref[key])
    assert back["spec"] == costlearn.spec("gridworld")
    assert "logp" not in back


def test_arrays_that_do_not_fit_the_task_are_refused(tmp_path):
    ref = costlearn.rollout("pendulum", 2, seed=0)
    with pytest.raises(costlearn.CostlearnError, match=r"obs of 'reacher' must be"):
        costlearn.save_demos(
            tmp_path / "x.npz", obs=ref["obs"], acts=ref["acts"], rews=ref["rews"], env="reacher"
        )
    with pytest.raises(costlearn.CostlearnError):
        costlearn.save_demos(
            tmp_path / "x.npz", obs=ref["obs"], acts=ref["acts"][:, :-1], rews=ref["rews"],
            env="pendulum",
        )
    assert not (tmp_path / "x.npz").exists()


def test_a_bad_file_raises_a_clear_error(tmp_path):
    with pytest.raises(costlearn.CostlearnError, match="cannot read the file"):
        costlearn.load_demos(tmp_path / "missing.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip file")
    with pytest.raises(costlearn.CostlearnError, match="junk.npz"):
        costlearn.load_demos(junk)
