//! GAE against a hand computation.

use super::gae;
use ndarray::array;

fn close(a: &ndarray::Array1<f32>, b: &[f32]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() < 1e-5, "{a} vs {b:?}");
    }
}

#[test]
fn gae_matches_a_hand_computation() {
    let (gamma, lambda) = (0.9f32, 0.5f32);
    let rewards = array![1.0f32, -2.0, 3.0];
    let values = array![0.5f32, 1.0, -1.0, 2.0];
    // δ_0 = 1 + 0.9·1 − 0.5 = 1.4; δ_1 = −2 + 0.9·(−1) − 1 = −3.9; δ_2 = 3 + 0.9·2 + 1 = 5.8
    // A_2 = 5.8; A_1 = −3.9 + 0.45·5.8 = −1.29; A_0 = 1.4 + 0.45·(−1.29) = 0.8195
    let (adv, ret) = gae(rewards.view(), values.view(), gamma, lambda, true);
    close(&adv, &[0.8195, -1.29, 5.8]);
    close(&ret, &[1.3195, -0.29, 4.8]);
    // Without bootstrapping the last step sees no future: δ_2 = 3 + 1 = 4.
    // A_1 = −3.9 + 0.45·4 = −2.1; A_0 = 1.4 + 0.45·(−2.1) = 0.455
    let (adv, _) = gae(rewards.view(), values.view(), gamma, lambda, false);
    close(&adv, &[0.455, -2.1, 4.0]);
}

#[test]
fn gae_with_lambda_one_is_the_discounted_return_minus_the_value() {
    let rewards = array![1.0f32, 2.0, 3.0];
    let values = array![0.3f32, -0.2, 0.7, 0.0];
    let (adv, ret) = gae(rewards.view(), values.view(), 0.5, 1.0, false);
    // G = [1 + 0.5·2 + 0.25·3, 2 + 0.5·3, 3] = [2.75, 3.5, 3]
    close(&ret, &[2.75, 3.5, 3.0]);
    close(&adv, &[2.45, 3.7, 2.3]);
}
