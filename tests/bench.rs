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
        .take_while(|l| !l.starts_with("## Results"))
        .filter(|l| l.starts_with("| gcl-transition | ") || l.starts_with("| bc | "))
        .count();
    assert_eq!(across, 4, "{md}");
    assert!(out.join("plots/profile-demos-1.svg").is_file());
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
