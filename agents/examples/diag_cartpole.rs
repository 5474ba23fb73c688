use costlearn_agents::cost::Cost;
use costlearn_agents::gcl::{CostPart, GclConfig, LearnedCost};
use ndarray::Array2;
fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let part = if std::env::args().nth(2).as_deref() == Some("full") {
        CostPart::Full
    } else {
        CostPart::Task
    };
    let cfg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/config.json")).unwrap())
            .unwrap();
    let gcl: GclConfig = serde_json::from_value(cfg["learner"]["gcl"].clone()).unwrap();
    let cost = LearnedCost::load(
        &gcl,
        5,
        1,
        std::path::Path::new(&format!("{dir}/cost.safetensors")),
    )
    .unwrap()
    .part(part);
    let ths: Vec<f32> = (0..13)
        .map(|i| -std::f32::consts::PI + i as f32 * std::f32::consts::PI / 6.0)
        .collect();
    let vels = [-8.0f32, -4.0, -2.0, 0.0, 2.0, 4.0, 8.0];
    print!("theta\\thdot");
    for v in vels {
        print!(" {v:>7.1}");
    }
    println!();
    for &th in &ths {
        let mut obs = Array2::<f32>::zeros((vels.len(), 5));
        for (i, v) in vels.iter().enumerate() {
            obs[[i, 2]] = th.cos();
            obs[[i, 3]] = th.sin();
            obs[[i, 4]] = *v;
        }
        let acts = Array2::<f32>::zeros((vels.len(), 1));
        let c = cost.cost(obs.view(), acts.view()).unwrap();
        print!("{:>6.0}     ", th.to_degrees());
        for x in c {
            print!(" {x:>7.3}");
        }
        println!();
    }
}
