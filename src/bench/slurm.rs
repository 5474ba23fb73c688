//! A suite as a Slurm job array: a submit script that queues one array task per shard (each
//! `bench --resume` into the shared output folder, its shard read from Slurm's variables) and a
//! job that merges them once every array task has succeeded (`--dependency=afterok`).

use std::fmt::Write as _;
use std::path::Path;

/// What the script asks of Slurm.
#[derive(Clone, Debug)]
pub struct SlurmOptions {
    /// Array tasks, one shard each.
    pub shards: usize,
    /// Cores of each array task (`--cpus-per-task`); the bench runs `jobs` runs at once on them.
    pub cpus_per_task: usize,
    /// Runs at once within an array task (`bench --jobs`).
    pub jobs: usize,
    /// Wall-clock limit of each array task (`--time`), if any.
    pub time: Option<String>,
    /// Partition (`--partition`), if any.
    pub partition: Option<String>,
    /// The costlearn binary the jobs run.
    pub binary: String,
}

/// The submit script of suite `suite` (its name or file, as `bench --suite` takes it), named
/// `name`, run into `out` on a shared file system.
pub fn script(suite: &str, name: &str, out: &Path, options: &SlurmOptions) -> String {
    let out_q = quote(&out.display().to_string());
    let bin = quote(&options.binary);
    let logs = out.join("logs");
    let logs_q = quote(&logs.display().to_string());
    let mut directives = String::new();
    for (key, value) in [
        ("partition", options.partition.as_deref()),
        ("time", options.time.as_deref()),
    ] {
        if let Some(v) = value {
            let _ = writeln!(directives, "#SBATCH --{key}={v}");
        }
    }
    let array_log = quote(&logs.join("%A_%a.out").display().to_string());
    let merge_log = quote(&logs.join("%j-merge.out").display().to_string());
    format!(
        "#!/bin/bash
# costlearn bench `{name}` as a Slurm job array of {shards} shards, then one job that merges them.
# Submit it with `bash THIS_FILE` from the folder the paths are relative to. Each array task runs
# its shard (from SLURM_ARRAY_TASK_ID) with --resume, so a task that is requeued or resubmitted
# skips the runs it finished; the merge waits for every array task to succeed (afterok).
set -euo pipefail
mkdir -p {logs_q}
array=$(sbatch --parsable <<'JOB'
#!/bin/bash
#SBATCH --job-name=costlearn-{name}
#SBATCH --array=1-{shards}
#SBATCH --cpus-per-task={cpus}
#SBATCH --output={array_log}
{directives}{bin} bench --suite {suite_q} --out {out_q} --jobs {jobs} --resume
JOB
)
array=${{array%%;*}}
merge=$(sbatch --parsable --dependency=afterok:\"$array\" <<'JOB'
#!/bin/bash
#SBATCH --job-name=costlearn-{name}-merge
#SBATCH --output={merge_log}
{bin} bench merge {out_q} --out {out_q}
JOB
)
echo \"submitted array job $array ({shards} shards) and merge job ${{merge%%;*}}; report in {out_display}\"
",
        shards = options.shards,
        cpus = options.cpus_per_task,
        jobs = options.jobs,
        suite_q = quote(suite),
        out_display = out.display(),
    )
}

/// `text` as one shell word.
fn quote(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:%+,@".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_queues_the_array_and_a_merge_after_it() {
        let options = SlurmOptions {
            shards: 8,
            cpus_per_task: 4,
            jobs: 2,
            time: Some("02:00:00".into()),
            partition: None,
            binary: "target/release/costlearn".into(),
        };
        let text = script("standard", "standard", Path::new("bench out/std"), &options);
        for needle in [
            "#SBATCH --array=1-8",
            "#SBATCH --cpus-per-task=4",
            "#SBATCH --time=02:00:00",
            "#SBATCH --output='bench out/std/logs/%A_%a.out'",
            "target/release/costlearn bench --suite standard --out 'bench out/std' --jobs 2 --resume",
            "--dependency=afterok:\"$array\"",
            "bench merge 'bench out/std' --out 'bench out/std'",
        ] {
            assert!(text.contains(needle), "{needle} not in:\n{text}");
        }
        assert!(!text.contains("--partition"));
        assert_eq!(quote("it's"), "'it'\\''s'");
    }
}
