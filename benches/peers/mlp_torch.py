"""Time one training step of a 64->256->256->1 tanh MLP in PyTorch.

The step is the one of `agents/benches/mlp.rs`: forward, mean-squared loss, backward, global-norm
gradient clipping to 1.0, Adam (lr 1e-4). Prints one line per batch size:
`torch <batch> <median ns per step>`.
"""

import argparse
import time

import torch


def time_batch(batch: int, seconds: float) -> float:
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(64, 256),
        torch.nn.Tanh(),
        torch.nn.Linear(256, 256),
        torch.nn.Tanh(),
        torch.nn.Linear(256, 1),
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    x = torch.rand(batch, 64) * 2 - 1
    y = torch.rand(batch, 1) * 2 - 1

    def step() -> None:
        opt.zero_grad(set_to_none=True)
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    for _ in range(10):
        step()
    # Median over rounds of a fixed number of steps, sized to last about `seconds` in total.
    t0 = time.perf_counter()
    step()
    per = max(time.perf_counter() - t0, 1e-6)
    steps = max(1, int(seconds / 20 / per))
    rounds = []
    for _ in range(20):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        rounds.append((time.perf_counter() - t0) / steps)
    rounds.sort()
    return rounds[len(rounds) // 2] * 1e9


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--batches", type=int, nargs="+", default=[256, 4096])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for batch in args.batches:
        print(f"torch {batch} {time_batch(batch, args.seconds):.0f}", flush=True)


if __name__ == "__main__":
    main()
