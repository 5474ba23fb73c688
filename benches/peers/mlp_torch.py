"""Time one training step of a 64->256->256->1 tanh MLP in PyTorch.

The step is the one of `agents/benches/mlp.rs`: forward, mean-squared loss, backward, global-norm
gradient clipping to 1.0, Adam (lr 1e-4). With `--criterion-dir`, it also reads the samples that
criterion recorded for our bench and prints both side by side with their ratio (ours / torch).

Both sides report the median and the minimum time per step over their samples; on a shared
machine the minimum is the figure least disturbed by other processes.
"""

import argparse
import json
import pathlib
import statistics
import time

import torch


def time_batch(batch: int, seconds: float) -> list[float]:
    """Seconds per step, one value per round of steps."""
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
    return rounds


def criterion_samples(directory: pathlib.Path, batch: int) -> list[float]:
    """Seconds per step of each sample criterion recorded for `batch`."""
    data = json.loads((directory / str(batch) / "new" / "sample.json").read_text())
    return [t / n * 1e-9 for t, n in zip(data["times"], data["iters"])]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--batches", type=int, nargs="+", default=[256, 4096])
    parser.add_argument("--criterion-dir", type=pathlib.Path)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    header = f"{'batch':>6} {'ours ms':>9} {'torch ms':>9} {'ratio':>6}"
    if args.criterion_dir is None:
        print(f"{'batch':>6} {'median ms':>10} {'min ms':>9}")
    else:
        print(f"{header}   (median)   {header}   (min)")
    for batch in args.batches:
        theirs = time_batch(batch, args.seconds)
        if args.criterion_dir is None:
            print(f"{batch:>6} {statistics.median(theirs) * 1e3:>10.3f} {min(theirs) * 1e3:>9.3f}")
            continue
        ours = criterion_samples(args.criterion_dir, batch)
        cells = []
        for stat in (statistics.median, min):
            o, t = stat(ours) * 1e3, stat(theirs) * 1e3
            cells.append(f"{batch:>6} {o:>9.3f} {t:>9.3f} {o / t:>6.2f}")
        print(f"{cells[0]}   (median)   {cells[1]}   (min)", flush=True)


if __name__ == "__main__":
    main()
