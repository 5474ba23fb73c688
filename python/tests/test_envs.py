"""costlearn's tasks as Gymnasium environments, against costlearn's own rollout engine."""

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from gymnasium.vector import AutoresetMode

import costlearn


@pytest.mark.parametrize("name", ["pendulum", "reacher", "gridworld", "cartpole"])
def test_gymnasium_accepts_the_env(name):
    check_env(costlearn.make(name), skip_render_check=True)


def test_an_episode_truncates_at_the_horizon_and_never_terminates():
    env = costlearn.make("pendulum")
    env.reset(seed=0)
    horizon = env.task_spec["horizon"]
    for t in range(horizon):
        _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        assert not terminated
        assert truncated == (t == horizon - 1)
    with pytest.raises(costlearn.CostlearnError, match="call reset"):
        env.step(env.action_space.sample())


@pytest.mark.parametrize("name", ["pendulum", "gridworld"])
def test_the_vector_env_replays_the_rust_rollout(name):
    copies, waves, seed = 4, 2, 3
    ref = costlearn.rollout(name, copies * waves, seed=seed, policy="expert", num_envs=copies)
    envs = costlearn.make_vec(name, copies)
    assert envs.metadata["autoreset_mode"] == AutoresetMode.SAME_STEP
    horizon = envs.task_spec["horizon"]
    obs, _ = envs.reset(seed=seed)
    for wave in range(waves):
        rows = slice(wave * copies, (wave + 1) * copies)
        for t in range(horizon):
            np.testing.assert_array_equal(obs, ref["obs"][rows, t])
            acts = ref["acts"][rows, t]
            if name == "gridworld":
                acts = acts[:, 0].astype(np.int64)
            obs, rewards, terminated, truncated, infos = envs.step(acts)
            np.testing.assert_array_equal(rewards, ref["rews"][rows, t])
            assert not terminated.any()
            assert truncated.all() == (t == horizon - 1)
            assert truncated.any() == (t == horizon - 1)
        np.testing.assert_array_equal(infos["final_obs"], ref["obs"][rows, horizon])
        assert infos["_final_obs"].all()


def test_the_single_env_numbers_its_episodes_as_the_rollout_engine_does():
    ref = costlearn.rollout("reacher", 2, seed=5, policy="random", num_envs=1)
    env = costlearn.make("reacher")
    for episode in range(2):
        obs, _ = env.reset(seed=5) if episode == 0 else env.reset()
        for t in range(env.task_spec["horizon"]):
            np.testing.assert_array_equal(obs, ref["obs"][episode, t])
            obs, reward, _, _, _ = env.step(ref["acts"][episode, t])
            assert reward == ref["rews"][episode, t]
        np.testing.assert_array_equal(obs, ref["obs"][episode, -1])


def test_bad_input_raises_a_clear_error():
    with pytest.raises(costlearn.CostlearnError, match="no-such-task"):
        costlearn.make("no-such-task")
    with pytest.raises(costlearn.CostlearnError, match="no-such-task"):
        costlearn.make_vec("no-such-task", 2)
    envs = costlearn.make_vec("pendulum", 2)
    with pytest.raises(costlearn.CostlearnError, match="call reset first"):
        envs.step(np.zeros((2, 1)))
    envs.reset(seed=0)
    with pytest.raises(costlearn.CostlearnError, match="not in the action space"):
        envs.step(np.full((2, 1), np.nan))
    with pytest.raises(costlearn.CostlearnError, match="not a list"):
        envs.reset(seed=[1, 2])
    grid = costlearn.make("gridworld")
    grid.reset(seed=0)
    with pytest.raises(costlearn.CostlearnError, match="not in the action space"):
        grid.step(17)


def test_the_sb3_infos_mark_time_limits_as_dummy_vec_env_does():
    envs = costlearn.make_vec("pendulum", 2)
    envs.reset(seed=0)
    for _ in range(envs.task_spec["horizon"]):
        _, _, _, truncated, infos = envs.step(np.zeros((2, 1)))
    assert truncated.all()
    sb3 = costlearn.sb3.sb3_infos(2, infos["final_obs"])
    assert [i["TimeLimit.truncated"] for i in sb3] == [True, True]
    np.testing.assert_array_equal(sb3[1]["terminal_observation"], infos["final_obs"][1])
    assert costlearn.sb3.sb3_infos(2, None) == [{}, {}]


def test_sb3_runs_on_the_vector_env():
    pytest.importorskip("stable_baselines3")
    from stable_baselines3 import PPO

    venv = costlearn.to_sb3(costlearn.make_vec("pendulum", 4))
    PPO("MlpPolicy", venv, n_steps=64, batch_size=64, n_epochs=1, seed=0).learn(512)
