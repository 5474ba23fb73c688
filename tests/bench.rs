//! End-to-end tests of `costlearn bench`: a tiny suite, its report, resuming, and suite mistakes.

mod common;

use common::{assert_clean_failure, costlearn, shipped, stderr};
use std::path::Path;

/// A suite of a few seconds: two GCL iterations and three BC epochs on pendulum, GCL and exact
/// MaxEnt IRL on gridworld, and one run whose demonstration file is missing (a failed run, not a
/// failed bench).
fn tiny_suite(dir: &Path) -> String {
    let text = format!(
        "name = \"tiny\"\nseeds = [0]\ndemos = [1, 2]\nalgorithms = [\"gcl-transition\", \"bc\"]\n\
         iterations = 2\nepochs = 3\neval_episodes = 2\n\n\
         [[task]]\nname = \"pendulum\"\ndemo_file = \"{}\"\n\n\
         [[task]]\nname = \"gridworld\"\ndemo_file = \"{}\"\nalgorithms = [\"gcl-transition\", \"maxent-irl\"]\n\n\
         [[task]]\nname = \"cartpole\"\ndemo_file = \"missing.npz\"\nalgorithms = [\"bc\"]\ndemos = [1]\n",
        shipped("pendulum.npz").display(),
        shipped("gridworld.npz").display()
    );
    let path = dir.join("tiny.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn bench(suite: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    let out = out.display().to_string();
    let mut args = vec!["bench", "--suite", suite, "--out", &out];
    args.extend_from_slice(extra);
    costlearn(&args)
}

const RESULT: &str = "runs/pendulum/bc/demos-2/seed-0/result.json";

#[test]
fn a_tiny_suite_reports_every_run_and_resumes_only_the_unfinished_one() {
    let tmp = tempfile::tempdir().unwrap();
    let suite = tiny_suite(tmp.path());
    let out = tmp.path().join("out");
    let first = bench(&suite, &out, &["--jobs", "2"]);
    assert!(first.status.success(), "{}", stderr(&first));

    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    for column in [
        "task",
        "algorithm",
        "demos",
        "seed",
        "return_mean",
        "return_std",
        "normalized_score",
        "cost_pearson",
        "cost_spearman",
        "wall_s",
        "env_steps",
        "status",
    ] {
        assert!(header.contains(&column), "{column} not in {header:?}");
    }
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let rows: Vec<Vec<&str>> = lines
        .map(|l| l.splitn(header.len(), ',').collect())
        .collect();
    assert_eq!(rows.len(), 9, "{csv}");
    for row in &rows {
        let ok = row[col("status")] == "ok";
        assert_eq!(ok, row[col("task")] != "cartpole", "{csv}");
        if ok {
            for name in ["return_mean", "normalized_score", "wall_s"] {
                let v: f64 = row[col(name)].parse().unwrap();
                assert!(v.is_finite(), "{name} = {v}");
            }
        } else {
            assert!(!row[col("error")].is_empty());
        }
        if row[col("algorithm")] != "bc" && ok {
            let r: f64 = row[col("cost_pearson")].parse().unwrap();
            assert!((-1.0..=1.0).contains(&r));
        }
        if row[col("algorithm")] == "gcl-transition" && ok {
            assert!(row[col("env_steps")].parse::<u64>().unwrap() > 0);
        }
    }

    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for needle in [
        "Reproduce",
        "Machine",
        "Versions",
        "Seeds",
        "expert (anchor)",
        "random (anchor)",
        "Failed runs",
        "normalised score",
        "cost Pearson",
        "Across tasks",
        "IQM [95% CI]",
        "P(better than BC)",
    ] {
        assert!(md.contains(needle) && html.contains(needle), "{needle}");
    }
    // One aggregate row per algorithm and demonstration count: GCL and BC with 1 and 2 demos,
    // MaxEnt IRL with both; GCL's rows compare it with BC.
    let across = md
        .lines()
        .skip_while(|l| !l.starts_with("## Across tasks"))
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .filter(|l| l.starts_with("| gcl-transition | ") || l.starts_with("| bc | "))
        .count();
    assert_eq!(across, 4, "{md}");
    assert!(out.join("plots/profile-demos-1.svg").is_file());
    assert!(out.join("plots/iqm.svg").is_file());
    // At a glance: the summary and the figure come before the tables, every run is listed.
    let at = |needle: &str| {
        md.find(needle)
            .unwrap_or_else(|| panic!("{needle} not in {md}"))
    };
    assert!(at("leads (") < at("![plots/iqm.svg]") && at("![plots/iqm.svg]") < at("## Per task"));
    assert!(at("## Per task") < at("## Every run"));
    assert!(md.contains("| pendulum | bc | 2 | 0 | ok |"), "{md}");
    assert!(md.contains("plots/score-pendulum.svg") && md.contains("plots/curves-pendulum-bc.svg"));
    assert!(html.matches("<svg").count() >= 4 && !html.contains("src=\"http"));
    assert!(out.join("plots/score-gridworld.svg").is_file());

    // Without --resume the folder is refused; with it, only the run without a result reruns.
    assert_clean_failure(&bench(&suite, &out, &[]), "--resume");
    let kept = out.join("runs/pendulum/bc/demos-1/seed-0/result.json");
    let kept_time = std::fs::metadata(&kept).unwrap().modified().unwrap();
    std::fs::remove_file(out.join(RESULT)).unwrap();
    let resumed = bench(&suite, &out, &["--resume"]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    let stdout = String::from_utf8_lossy(&resumed.stdout);
    assert!(stdout.contains("8 of 9 runs already finished"), "{stdout}");
    assert!(stdout.contains("pendulum bc, 2 demos, seed 0"), "{stdout}");
    assert!(!stdout.contains("pendulum bc, 1 demos"), "{stdout}");
    assert!(out.join(RESULT).is_file());
    assert_eq!(
        std::fs::metadata(&kept).unwrap().modified().unwrap(),
        kept_time
    );
    let again = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert_eq!(again.lines().count(), 10);
}

#[test]
fn suite_mistakes_name_their_line() {
    let tmp = tempfile::tempdir().unwrap();
    let head = "name = \"t\"\nseeds = [0]\ndemos = [1]\n";
    let cases = [
        (
            "algorithms = [\"bc\"]\n[[task]]\nname = \"pendulum\"\nepoch = 3\n",
            "line 7",
            "epoch",
        ),
        (
            "algorithms = [\"gail\"]\n[[task]]\nname = \"pendulum\"\n",
            "line 4",
            "gail",
        ),
        (
            "algorithms = [\"bc\"]\n[[task]]\nname = \"pendlum\"\n",
            "line 6",
            "pendlum",
        ),
    ];
    for (k, (tail, line, word)) in cases.into_iter().enumerate() {
        let path = tmp.path().join(format!("s{k}.toml"));
        std::fs::write(&path, format!("{head}{tail}")).unwrap();
        let out = bench(&path.display().to_string(), &tmp.path().join("out"), &[]);
        assert_clean_failure(&out, line);
        assert!(stderr(&out).contains(word), "{}", stderr(&out));
    }
    assert_clean_failure(
        &costlearn(&["bench", "--suite", "nonesuch"]),
        "quick, standard",
    );
}

#[test]
fn a_variant_and_a_sweep_run_under_their_names_and_get_rows_and_a_plot() {
    let dir = tempfile::tempdir().unwrap();
    let suite = |set_key: &str| {
        let text = format!(
            "name = \"variants\"\nseeds = [0]\ndemos = [2]\nalgorithms = [\"bc\"]\nepochs = 2\n\
             eval_episodes = 2\n\n[[task]]\nname = \"pendulum\"\ndemo_file = \"{}\"\n\n\
             [[variant]]\nname = \"bc-small\"\nmethod = \"bc\"\nset = {{ \"{set_key}\" = [16] }}\n\n\
             [[sweep]]\nmethod = \"bc\"\nkey = \"bc.learning_rate\"\nvalues = [0.001, 0.01]\n",
            shipped("pendulum.npz").display()
        );
        let path = dir.path().join(format!("{set_key}.toml"));
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let out = dir.path().join("out");
    let res = bench(&suite("bc.hidden"), &out, &[]);
    assert!(res.status.success(), "{}", stderr(&res));
    let names = [
        "bc",
        "bc-small",
        "bc-learning_rate=0.001",
        "bc-learning_rate=0.01",
    ];
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    for name in names {
        assert!(
            report.contains(&format!("| pendulum | {name} | 2 |")),
            "{name}: {report}"
        );
        let run = out.join(format!("runs/pendulum/{name}/demos-2/seed-0"));
        assert!(run.join("result.json").is_file(), "{name}");
    }
    let config = |name: &str| -> serde_json::Value {
        let path = out.join(format!("runs/pendulum/{name}/demos-2/seed-0/config.json"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    assert_eq!(config("bc-small")["bc"]["hidden"], serde_json::json!([16]));
    assert_eq!(config("bc-learning_rate=0.01")["bc"]["learning_rate"], 0.01);
    assert!(out.join("plots/sweep-bc.learning_rate.svg").is_file());
    let results = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert!(results.starts_with("task,algorithm,variant,"), "{results}");
    assert!(results.contains("pendulum,bc,bc-small,2,"), "{results}");

    // A key the method does not have is refused before anything runs.
    let other = dir.path().join("other");
    assert_clean_failure(
        &bench(&suite("bc.hiden"), &other, &[]),
        "variant `bc-small` on `pendulum`: unknown setting `bc.hiden` (did you mean `hidden`?)",
    );
    assert!(!other.exists());
}

/// `results.csv` of a bench folder without its timing column.
fn results_without_time(out: &Path) -> Vec<String> {
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let wall = header.iter().position(|h| *h == "wall_s").unwrap();
    csv.lines()
        .map(|l| {
            let mut cells: Vec<&str> = l.splitn(header.len(), ',').collect();
            cells.remove(wall);
            cells.join(",")
        })
        .collect()
}

#[test]
fn two_shards_merged_give_the_unsharded_results() {
    let tmp = tempfile::tempdir().unwrap();
    let suite = tiny_suite(tmp.path());
    let whole = tmp.path().join("whole");
    let res = bench(&suite, &whole, &[]);
    assert!(res.status.success(), "{}", stderr(&res));

    // Shard 1 by flag; shard 2 from the Slurm variables of a job array counted from 0.
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    let first = bench(&suite, &one, &["--shard", "1/2"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let second = std::process::Command::new(env!("CARGO_BIN_EXE_costlearn"))
        .args(["bench", "--suite", &suite, "--out", two.to_str().unwrap()])
        .env("SLURM_ARRAY_TASK_ID", "1")
        .env("SLURM_ARRAY_TASK_MIN", "0")
        .env("SLURM_ARRAY_TASK_COUNT", "2")
        .output()
        .unwrap();
    assert!(second.status.success(), "{}", stderr(&second));
    let said = String::from_utf8_lossy(&second.stdout);
    assert!(said.contains("running shard 2/2"), "{said}");
    assert!(one.join("shards/1-of-2.json").is_file() && two.join("shards/2-of-2.json").is_file());
    assert!(!one.join("report.md").exists(), "a shard writes no report");

    // One shard alone: the report is written, and the missing runs are named.
    let part = tmp.path().join("part");
    let lone = costlearn(&[
        "bench",
        "merge",
        one.to_str().unwrap(),
        "--out",
        part.to_str().unwrap(),
    ]);
    assert!(!lone.status.success());
    assert!(
        stderr(&lone).contains("runs are in none of the folders"),
        "{}",
        stderr(&lone)
    );
    assert!(part.join("report.md").is_file());

    let merged = tmp.path().join("merged");
    let res = costlearn(&[
        "bench",
        "merge",
        one.to_str().unwrap(),
        two.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert!(res.status.success(), "{}", stderr(&res));
    assert_eq!(results_without_time(&merged), results_without_time(&whole));
    assert!(merged
        .join("runs/pendulum/bc/demos-2/seed-0/metrics.csv")
        .is_file());
    let md = std::fs::read_to_string(merged.join("report.md")).unwrap();
    assert!(md.contains("bench merge"), "{md}");

    // Folders of another suite are refused, naming the folder.
    let other = tmp.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("suite.toml"), "name = \"x\"\n").unwrap();
    let refused = costlearn(&[
        "bench",
        "merge",
        one.to_str().unwrap(),
        other.to_str().unwrap(),
        "--out",
        tmp.path().join("m2").to_str().unwrap(),
    ]);
    assert_clean_failure(&refused, "ran another suite");

    // So are shards run by another costlearn version.
    let record = two.join("shards/2-of-2.json");
    let text = std::fs::read_to_string(&record).unwrap();
    let version = format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION"));
    assert!(text.contains(&version), "{text}");
    std::fs::write(
        &record,
        text.replace(&version, "\"version\": \"0.0.0-old\""),
    )
    .unwrap();
    let refused = costlearn(&[
        "bench",
        "merge",
        one.to_str().unwrap(),
        two.to_str().unwrap(),
        "--out",
        tmp.path().join("m3").to_str().unwrap(),
    ]);
    assert_clean_failure(&refused, "0.0.0-old");
}

/// A stand-in for Slurm's `sbatch`: runs the job script it reads from standard input at once
/// (an array's tasks one after the other, with Slurm's variables and `%A_%a` logs), records its
/// arguments, and prints a job id as `--parsable` does.
#[cfg(unix)]
const SBATCH: &str = r#"#!/bin/bash
set -eu
echo "$*" >> "$SBATCH_LOG"
script=$(mktemp)
cat > "$script"
id=$(( $(wc -l < "$SBATCH_LOG") + 100 ))
out=$(sed -n 's/^#SBATCH --output=//p' "$script" | tr -d "'")
range=$(sed -n 's/^#SBATCH --array=\([0-9]*\)-\([0-9]*\)$/\1 \2/p' "$script")
if [ -n "$range" ]; then
  set -- $range
  for ((t = $1; t <= $2; t++)); do
    log=${out//%A/$id}; log=${log//%a/$t}
    SLURM_ARRAY_JOB_ID=$id SLURM_ARRAY_TASK_ID=$t SLURM_ARRAY_TASK_MIN=$1 \
      SLURM_ARRAY_TASK_COUNT=$(( $2 - $1 + 1 )) bash "$script" > "$log" 2>&1
  done
else
  bash "$script" > "${out//%j/$id}" 2>&1
fi
echo "$id"
"#;

#[cfg(unix)]
#[test]
fn the_slurm_script_runs_the_shards_as_an_array_and_merges_after_them() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let suite = tiny_suite(tmp.path());
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let sbatch = bin.join("sbatch");
    std::fs::write(&sbatch, SBATCH).unwrap();
    std::fs::set_permissions(&sbatch, std::fs::Permissions::from_mode(0o755)).unwrap();
    let script = tmp.path().join("submit.sh");
    let out = tmp.path().join("out");
    let res = costlearn(&[
        "bench",
        "slurm",
        "--suite",
        &suite,
        "--out",
        out.to_str().unwrap(),
        "--shards",
        "3",
        "--script",
        script.to_str().unwrap(),
    ]);
    assert!(res.status.success(), "{}", stderr(&res));
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(
        text.contains("#SBATCH --array=1-3") && text.contains("--resume"),
        "{text}"
    );

    let log = tmp.path().join("sbatch.log");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let submitted = std::process::Command::new("bash")
        .arg(&script)
        .current_dir(tmp.path())
        .env("PATH", path)
        .env("SBATCH_LOG", &log)
        .output()
        .unwrap();
    assert!(submitted.status.success(), "{}", stderr(&submitted));
    // The array was queued first (job 101), the merge after it, waiting for its success.
    let calls = std::fs::read_to_string(&log).unwrap();
    let calls: Vec<&str> = calls.lines().collect();
    assert_eq!(calls, ["--parsable", "--parsable --dependency=afterok:101"]);
    for task in 1..=3 {
        let task_log = out.join(format!("logs/101_{task}.out"));
        let said = std::fs::read_to_string(&task_log).unwrap();
        assert!(said.contains(&format!("running shard {task}/3")), "{said}");
        assert!(out.join(format!("shards/{task}-of-3.json")).is_file());
    }
    assert_eq!(results_without_time(&out).len(), 10);
    assert!(out.join("report.html").is_file());
}
