//! The plain references, accumulated in f64 from the exact inputs, and the
//! tolerances the kernels (f32 accumulation) are held to, with why they
//! hold.

/// The unit roundoff of float: 2^-24.
const U32: f64 = 1.0 / (1u64 << 24) as f64;

/// C = A·B (A is `m` x `k`, B is `k` x `n`, row-major), and for each
/// element of C the sum Σ_k |a_ik|·|b_kj| that bounds its rounding error.
pub fn gemm(a: &[f64], b: &[f64], m: usize, n: usize, k: usize) -> (Vec<f64>, Vec<f64>) {
    let mut c = vec![0.0; m * n];
    let mut abs = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            let (mut s, mut t) = (0.0, 0.0);
            for p in 0..k {
                let (x, y) = (a[i * k + p], b[p * n + j]);
                s += x * y;
                t += (x * y).abs();
            }
            c[i * n + j] = s;
            abs[i * n + j] = t;
        }
    }
    (c, abs)
}

/// The tolerance of one element of C for float accumulation over `k` terms
/// whose products sum to `abs_sum` in absolute value: `(k + 1)·2^-24·abs_sum`.
///
/// Why: each of the k accumulation steps (a fused multiply-add in the
/// executor's multiply-accumulate, or a multiply and an add in another
/// order on a GPU) rounds once or twice with relative error at most 2^-24,
/// and the classic bound for a dot product, |ĉ − c| <= γ_k·Σ|a||b| with
/// γ_k = k·u/(1 − k·u) (Higham, Accuracy and Stability of Numerical
/// Algorithms, section 3.1), is below (k + 1)·u·Σ|a||b| for k·u < 1/(k + 1), which
/// holds for every k up to 4096. Half inputs change nothing: a product of
/// two halves (11 significant bits each) is exact in float, and the
/// reference uses the half values. The zero-filled padding past K adds
/// exact zeros.
pub fn gemm_bound(k: usize, abs_sum: f64) -> f64 {
    (k as f64 + 1.0) * U32 * abs_sum
}

/// O = softmax(Q·Kᵀ/√d)·V for `s` x `d` row-major Q, K, V, in f64 with the
/// usual max subtraction.
pub fn attention(q: &[f64], k: &[f64], v: &[f64], s: usize, d: usize) -> Vec<f64> {
    attention_rect(q, k, v, s, s, d)
}

/// [`attention`] with `rows` queries (Q and O are `rows` x `d`) and `keys`
/// keys and values (K and V are `keys` x `d`).
pub fn attention_rect(
    q: &[f64],
    k: &[f64],
    v: &[f64],
    rows: usize,
    keys: usize,
    d: usize,
) -> Vec<f64> {
    let scale = 1.0 / (d as f64).sqrt();
    let mut o = vec![0.0; rows * d];
    let mut scores = vec![0.0; keys];
    for i in 0..rows {
        for (j, score) in scores.iter_mut().enumerate() {
            let dot: f64 = (0..d).map(|x| q[i * d + x] * k[j * d + x]).sum();
            *score = dot * scale;
        }
        let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let weights: Vec<f64> = scores.iter().map(|x| (x - max).exp()).collect();
        let sum: f64 = weights.iter().sum();
        for x in 0..d {
            let acc: f64 = weights
                .iter()
                .enumerate()
                .map(|(j, w)| w * v[j * d + x])
                .sum();
            o[i * d + x] = acc / sum;
        }
    }
    o
}

/// The absolute tolerance of attention (head dimension 64, inputs in
/// [-1, 1)) for sequence length `s`: the worst-case bound below, and never
/// less than 1e-4.
///
/// Why, for float accumulation:
/// * a score q·k over 64 terms with |q|, |k| <= 1 is off by at most
///   γ_64·64 <= 4096·2^-24 = 2.4e-4; scaled by log2(e)/8 = 0.18 (a float
///   constant, relative error <= 2^-24, on scores |x| <= 11.6) the
///   kernel's log2-unit score is off by at most 4.6e-5, 3.2e-5 in natural
///   units, and the subtraction of the maximum by about 1e-6 more: every
///   weight's exponent is off by at most δ = 3.3e-5;
/// * shifting exponents by at most δ moves each normalised weight by a
///   factor within e^(±2δ), so O (a convex combination of rows of V,
///   |v| <= 1) moves by at most 2δ = 6.6e-5;
/// * the sums Σ p·v and Σ p over s terms, the exp2 results and the
///   per-block rescaling by 2^(m_old − m_new) add at most (2s + 8)·2^-24
///   relative to max|v| <= 1.
///
/// That is 8.1e-5 at s = 128 (so 1e-4 holds for the tested lengths) and
/// 1.3e-4 at s = 512. Measured errors are about a hundred times smaller.
pub fn attention_bound(s: usize) -> f64 {
    let worst = 6.6e-5 + (2.0 * s as f64 + 8.0) * U32;
    worst.max(ATTENTION_TOLERANCE)
}

/// The tolerance of attention at the tested lengths (S <= 128), see
/// [`attention_bound`].
pub const ATTENTION_TOLERANCE: f64 = 1e-4;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gemm_by_hand() {
        // [1 2; 3 4] · [5 6; 7 8] = [19 22; 43 50]
        let (c, abs) = gemm(&[1.0, 2.0, 3.0, 4.0], &[5.0, 6.0, 7.0, 8.0], 2, 2, 2);
        assert_eq!(c, [19.0, 22.0, 43.0, 50.0]);
        assert_eq!(abs, [19.0, 22.0, 43.0, 50.0]);
        // A 1x3 · 3x1 with signs: 1·(-2) + (-3)·4 + 0.5·2 = -13.
        let (c, abs) = gemm(&[1.0, -3.0, 0.5], &[-2.0, 4.0, 2.0], 1, 1, 3);
        assert_eq!((c[0], abs[0]), (-13.0, 15.0));
        assert_eq!(gemm_bound(3, 16.0), 4.0 * 16.0 / 16_777_216.0);
    }

    #[test]
    fn attention_by_hand() {
        let d = 64;
        let mut q = vec![0.0; 2 * d];
        let mut k = vec![0.0; 2 * d];
        let v: Vec<f64> = (0..2 * d).map(|i| (i % 7) as f64 - 3.0).collect();
        // Row 0: q = 0, equal scores, O = the mean of V's rows.
        // Row 1: q = (8, 0, ...), k0 = (ln 3, 0, ...), k1 = 0: scores ln 3
        // and 0 after the 1/8 scale, weights 3/4 and 1/4.
        q[d] = 8.0;
        k[0] = 3f64.ln();
        let o = attention(&q, &k, &v, 2, d);
        for x in 0..d {
            let (v0, v1) = (v[x], v[d + x]);
            assert!((o[x] - (v0 + v1) / 2.0).abs() < 1e-12);
            assert!((o[d + x] - (0.75 * v0 + 0.25 * v1)).abs() < 1e-12);
        }
    }

    #[test]
    fn attention_survives_large_scores() {
        // Scores of ±800 after scaling: the max subtraction keeps exp finite.
        let d = 64;
        let q = vec![10.0; 2 * d];
        let mut k = vec![10.0; 2 * d];
        for x in &mut k[d..] {
            *x = -10.0;
        }
        let v: Vec<f64> = (0..2 * d).map(|i| if i < d { 1.0 } else { -1.0 }).collect();
        let o = attention(&q, &k, &v, 2, d);
        assert!(o.iter().all(|x| (x - 1.0).abs() < 1e-12), "{o:?}");
    }

    #[test]
    fn attention_tolerance_grows_with_the_length() {
        assert_eq!(attention_bound(77), ATTENTION_TOLERANCE);
        assert_eq!(attention_bound(128), ATTENTION_TOLERANCE);
        assert!(attention_bound(512) > 1.2e-4 && attention_bound(512) < 1.4e-4);
    }
}
