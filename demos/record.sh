#!/usr/bin/env bash
# Re-records every shipped demonstration file and rewrites demos/manifest.toml and demos/MANIFEST.md
# (the normalisation anchors:
# the expert's and a uniform-random policy's return, mean ± std over the same number of episodes).
#
#   bash demos/record.sh            # all tasks that have an expert
#   bash demos/record.sh gridworld  # just these
set -euo pipefail
cd "$(dirname "$0")/.."
EPISODES=${EPISODES:-64}
SEED=${SEED:-0}
cargo build --release --quiet
bin=target/release/costlearn
if [ $# -gt 0 ]; then tasks=("$@"); else
  mapfile -t tasks < <("$bin" envs --json | python3 -c 'import json,sys; [print(r["spec"]["name"]) for r in json.load(sys.stdin) if r["expert"]]')
fi
scratch=$(mktemp -d); trap 'rm -rf "$scratch"' EXIT
for task in "${tasks[@]}"; do
  "$bin" record --env "$task" --episodes "$EPISODES" --seed "$SEED" --out "demos/$task.npz" --force
  "$bin" record --env "$task" --episodes "$EPISODES" --seed "$SEED" --policy random --out "$scratch/$task-random.npz"
  "$bin" inspect "demos/$task.npz" --json > "$scratch/$task.json"
  "$bin" inspect "$scratch/$task-random.npz" --json > "$scratch/$task-random.json"
done
python3 - "$scratch" "$EPISODES" "$SEED" "${tasks[@]}" <<'PY'
import json, pathlib, re, sys
scratch, episodes, seed, tasks = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
path = pathlib.Path("demos/manifest.toml")
# Keep the entries of tasks not re-recorded now.
kept = {}
if path.exists():
    for block in re.split(r"\n(?=\[)", path.read_text()):
        m = re.match(r"\[(\S+)\]", block.strip())
        if m and m.group(1) not in tasks:
            kept[m.group(1)] = block.strip()
blocks = dict(kept)
for t in tasks:
    e = json.loads((scratch / f"{t}.json").read_text())
    r = json.loads((scratch / f"{t}-random.json").read_text())
    blocks[t] = "\n".join([
        f"[{t}]",
        f'file = "{t}.npz"',
        f'command = "costlearn record --env {t} --episodes {episodes} --seed {seed} --out demos/{t}.npz"',
        f"episodes = {e['episodes']}",
        f"horizon = {e['horizon']}",
        f"expert_return_mean = {e['return_mean']:.6g}",
        f"expert_return_std = {e['return_std']:.6g}",
        f"random_return_mean = {r['return_mean']:.6g}",
        f"random_return_std = {r['return_std']:.6g}",
    ])
header = ("# Normalisation anchors of the shipped demonstrations, written by demos/record.sh.\n"
          "# Random: a uniform policy over the action space, same seed and episode count.\n")
path.write_text(header + "\n" + "\n\n".join(blocks[k] for k in sorted(blocks)) + "\n")

# The same anchors for people.
def field(block, key):
    return re.search(rf"^{key} = (.*)$", block, re.M).group(1).strip('"')
rows = []
for k in sorted(blocks):
    b = blocks[k]
    f = {key: field(b, key) for key in ["file", "command", "episodes", "horizon", "expert_return_mean",
                                         "expert_return_std", "random_return_mean", "random_return_std"]}
    rows.append(f"| `{k}` | `{f['file']}` | {f['episodes']} | {f['horizon']} | "
                f"{float(f['expert_return_mean']):.2f} ± {float(f['expert_return_std']):.2f} | "
                f"{float(f['random_return_mean']):.2f} ± {float(f['random_return_std']):.2f} | `{f['command']}` |")
pathlib.Path("demos/MANIFEST.md").write_text(
    "# Shipped demonstrations\n\n"
    "Each file holds expert episodes recorded by the command beside it, float32, in costlearn's npz layout\n"
    "(see the README). The returns are mean ± std over the file's episodes. The random column is a uniform\n"
    "policy over the action space with the same seed and episode count: together they are the anchors of\n"
    "normalised scores `(R − R_random) / (R_expert − R_random)`. `manifest.toml` holds the same numbers for\n"
    "programs. Regenerate with `bash demos/record.sh [TASK …]`.\n\n"
    "| task | file | episodes | horizon | expert return | random return | command |\n"
    "|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n")
PY
echo "wrote demos/manifest.toml and demos/MANIFEST.md"
