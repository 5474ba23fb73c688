"""costlearn's learners from Python: the same runs as the command line's, and their parts."""

import csv
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import costlearn

ROOT = Path(__file__).resolve().parents[2]
DEMOS = ROOT / "demos"


def metrics(run):
    """metrics.csv of a run without its wall-clock columns."""
    with open(run / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    return [{k: v for k, v in row.items() if "wall" not in k} for row in rows]


def test_gcl_from_python_is_the_command_line_run(tmp_path):
    cli = os.environ.get("COSTLEARN_BIN")
    if not cli:
        pytest.skip("COSTLEARN_BIN (the costlearn binary) is not set")
    gcl = costlearn.GCL("pendulum", DEMOS / "pendulum.npz", num_demos=4, seed=3,
                        eval_episodes=8, out=tmp_path / "py")
    gcl.train(4, progress=False)
    subprocess.run(
        [cli, "train", "gcl", "--env", "pendulum", "--demos", str(DEMOS / "pendulum.npz"),
         "--num-demos", "4", "--iterations", "4", "--eval-episodes", "8", "--seed", "3",
         "--out", str(tmp_path / "cli")],
        check=True, cwd=ROOT, capture_output=True,
    )
    assert metrics(tmp_path / "py") == metrics(tmp_path / "cli")
    ours = json.loads((tmp_path / "py" / "eval.json").read_text())
    theirs = json.loads((tmp_path / "cli" / "eval.json").read_text())
    assert ours["normalized_score"] == theirs["normalized_score"]
    assert gcl.config["settings"] == json.loads((tmp_path / "cli" / "config.json").read_text())["settings"]


def test_a_tabular_gcl_run_trains_on_and_gives_its_policy_and_cost(tmp_path):
    gcl = costlearn.GCL("gridworld", DEMOS / "gridworld.npz", num_demos=16, seed=1,
                        eval_episodes=8)
    gcl.train(3, progress=False).train(2, progress=False)
    assert gcl.iterations == 5
    assert len(metrics(gcl.out)) == 5
    expert = costlearn.rollout("gridworld", 4, seed=0)
    obs = expert["obs"][:, :-1].reshape(-1, 3)
    acts = expert["acts"].reshape(-1, 1)
    cost = gcl.cost(obs, acts)
    assert cost.shape == (len(obs),) and np.isfinite(cost).all()
    actions = gcl.policy.act(obs, seed=0)
    assert actions.shape == (len(obs), 1)
    np.testing.assert_array_equal(actions, gcl.policy.act(obs, seed=0))
    assert set(np.unique(actions)) <= set(range(5))
    greedy = gcl.policy.act(obs, deterministic=True)
    log_probs = np.stack([gcl.policy.log_prob(obs, np.full((len(obs), 1), a, np.float32))
                          for a in range(5)], axis=1)
    np.testing.assert_array_equal(greedy[:, 0], log_probs.argmax(axis=1))
    assert np.all(gcl.policy.log_prob(obs, actions) <= 0)
    evaluation = gcl.evaluate(episodes=8)
    assert -1.0 < evaluation["normalized_score"] < 2.0
    saved = gcl.save(tmp_path / "kept")
    assert (saved / "config.json").is_file() and (saved / "eval.json").is_file()
    cli = os.environ.get("COSTLEARN_BIN")
    if cli:  # the command line reads the saved folder as one of its own runs
        out = subprocess.run([cli, "eval", str(saved), "--episodes", "8", "--json"], check=True,
                             cwd=ROOT, capture_output=True, text=True).stdout
        assert json.loads(out)["normalized_score"] == evaluation["normalized_score"]


def test_bc_from_python_writes_a_run_folder(tmp_path):
    bc = costlearn.BC("pendulum", DEMOS / "pendulum.npz", num_demos=4, seed=0, eval_episodes=4,
                      out=tmp_path / "bc", settings={"bc.epochs": 5})
    bc.train(progress=False)
    assert bc.config["settings"]["bc"]["epochs"] == 5
    obs = np.zeros((3, 3), dtype=np.float32)
    assert bc.policy.act(obs).shape == (3, 1)
    mean = bc.policy.act(obs, deterministic=True)
    np.testing.assert_array_equal(mean, bc.policy.act(obs, deterministic=True, seed=9))
    assert not np.array_equal(mean, bc.policy.act(obs, seed=0))
    with pytest.raises(costlearn.CostlearnError, match="learns no cost"):
        costlearn.learners._costlearn.run_cost(str(bc.out), obs, np.zeros((3, 1), np.float32))


def test_a_suite_runs_from_python(tmp_path):
    suite = tmp_path / "tiny.toml"
    suite.write_text(
        'name = "tiny"\nseeds = [0]\ndemos = [2]\nalgorithms = ["bc"]\n'
        'eval_episodes = 4\n\n[[task]]\nname = "pendulum"\n'
    )
    cwd = os.getcwd()
    os.chdir(ROOT)  # the suite reads demos/<task>.npz
    try:
        report = costlearn.bench(suite, tmp_path / "out", jobs=1)
    finally:
        os.chdir(cwd)
    assert "pendulum" in report.read_text()


def test_bad_input_raises_clear_errors(tmp_path):
    with pytest.raises(costlearn.CostlearnError, match="no-such-task"):
        costlearn.GCL("no-such-task", DEMOS / "pendulum.npz").train(1, progress=False)
    with pytest.raises(costlearn.CostlearnError, match="cannot read the file"):
        costlearn.BC("pendulum", tmp_path / "missing.npz").train(progress=False)
    with pytest.raises(costlearn.CostlearnError, match="unknown mode"):
        costlearn.GCL("pendulum", DEMOS / "pendulum.npz", mode="sideways")
    with pytest.raises(costlearn.CostlearnError, match="segment_len"):
        costlearn.GCL("pendulum", DEMOS / "pendulum.npz", mode="segment")
    with pytest.raises(costlearn.CostlearnError, match="call train"):
        costlearn.GCL("pendulum", DEMOS / "pendulum.npz").policy
    with pytest.raises(costlearn.CostlearnError, match="nothing"):
        costlearn.GCL("pendulum", DEMOS / "pendulum.npz",
                      settings={"learner.nothing": 1}).train(1, progress=False)
