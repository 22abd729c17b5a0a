//! A case: a kernel at a shape with seeded inputs, its buffers, dispatch,
//! f64 reference and per-element tolerance.

use std::fmt;

use air_testgen::Rng;

use crate::error::{Error, Result};
use crate::kernel::{Kernel, HEAD_DIM, THREADS_PER_THREADGROUP};
use crate::limits::MAX_DIM;
use crate::reference;

/// The problem size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    /// C (M x N) = A (M x K) · B (K x N).
    Gemm {
        /// Rows of A and C.
        m: u32,
        /// Columns of B and C.
        n: u32,
        /// Columns of A, rows of B.
        k: u32,
    },
    /// Q, K, V, O are `seq` x [`HEAD_DIM`].
    Attention {
        /// The sequence length.
        seq: u32,
    },
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shape::Gemm { m, n, k } => write!(f, "{m}x{n}x{k}"),
            Shape::Attention { seq } => write!(f, "S={seq} D={HEAD_DIM}"),
        }
    }
}

/// How the inputs are drawn (always from a seeded [`Rng`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Inputs {
    /// GEMM only: `j/64` for integers `-64 <= j <= 64`. Exact in half and
    /// float, every product is a multiple of 2^-12 of magnitude at most 1,
    /// so every partial sum of a row·column (at most K <= 4096 terms) is a
    /// multiple of 2^-12 below 2^12 and needs at most 24 significant bits:
    /// float accumulation is exact in any order, and the kernel must match
    /// the reference exactly. (Half accumulation would not be: it keeps 11
    /// bits.)
    Dyadic,
    /// Uniform in [-1, 1) (multiples of 2^-23; for half inputs, rounded to
    /// half, and the reference uses the rounded values).
    Uniform,
}

impl Inputs {
    /// `dyadic` or `uniform`.
    pub fn name(self) -> &'static str {
        match self {
            Inputs::Dyadic => "dyadic",
            Inputs::Uniform => "uniform",
        }
    }
}

/// The element type of a bound buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Element {
    /// `float`.
    F32,
    /// `half`.
    F16,
    /// `uint` (the scalars, bound as `constant uint&`).
    U32,
}

/// A buffer (or scalar) the kernel is bound to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Buffer {
    /// The manifest name (`A`, `M`, `Q`, ...).
    pub name: &'static str,
    /// `[[buffer(index)]]`.
    pub index: u32,
    /// The element type.
    pub element: Element,
    /// Initial contents, little-endian (the output is all NaN).
    pub bytes: Vec<u8>,
}

/// One run of a kernel: shape and inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Case {
    kernel: Kernel,
    shape: Shape,
    inputs: Inputs,
}

/// The inputs of a case as the kernel sees them (f64 copies of the exact
/// values) and as bytes.
#[derive(Clone, Debug)]
struct Data {
    values: Vec<Vec<f64>>,
    buffers: Vec<Buffer>,
}

impl Case {
    /// A GEMM case: `kernel` must be [`Kernel::GemmF32`] or
    /// [`Kernel::GemmF16`].
    ///
    /// # Errors
    /// [`Error::Shape`] for another kernel, a zero dimension or one above
    /// [`MAX_DIM`].
    pub fn gemm(kernel: Kernel, m: u32, n: u32, k: u32, inputs: Inputs) -> Result<Case> {
        if kernel == Kernel::AttentionF32 {
            return Err(Error::Shape(format!(
                "{} is not a GEMM kernel",
                kernel.name()
            )));
        }
        for (what, v) in [("M", m), ("N", n), ("K", k)] {
            check_dim(what, v)?;
        }
        Ok(Case {
            kernel,
            shape: Shape::Gemm { m, n, k },
            inputs,
        })
    }

    /// An attention case with sequence length `seq` (uniform inputs).
    ///
    /// # Errors
    /// [`Error::Shape`] for 0 or a length above [`MAX_DIM`].
    pub fn attention(seq: u32) -> Result<Case> {
        check_dim("the sequence length", seq)?;
        Ok(Case {
            kernel: Kernel::AttentionF32,
            shape: Shape::Attention { seq },
            inputs: Inputs::Uniform,
        })
    }

    /// The kernel.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// The shape.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// How the inputs are drawn.
    pub fn inputs(&self) -> Inputs {
        self.inputs
    }

    /// `gemm/f32 100x72x130`, `attention/f32 S=77 D=64`.
    pub fn label(&self) -> String {
        format!("{} {}", self.kernel.name(), self.shape)
    }

    /// Threads to dispatch (`dispatchThreads`, 1D), in threadgroups of
    /// [`THREADS_PER_THREADGROUP`]: one threadgroup per 32x32 block of C,
    /// or per 32 query rows.
    pub fn threads(&self) -> u32 {
        let blocks = |x: u32| x.div_ceil(32);
        let groups = match self.shape {
            Shape::Gemm { m, n, .. } => blocks(m) * blocks(n),
            Shape::Attention { seq } => blocks(seq),
        };
        groups * THREADS_PER_THREADGROUP
    }

    /// Floating-point operations of the problem (for GFLOPS): 2·M·N·K, or
    /// 4·S²·D for attention (two S x S x D products).
    pub fn flops(&self) -> f64 {
        match self.shape {
            Shape::Gemm { m, n, k } => 2.0 * f64::from(m) * f64::from(n) * f64::from(k),
            Shape::Attention { seq } => 4.0 * f64::from(seq) * f64::from(seq) * f64::from(HEAD_DIM),
        }
    }

    /// The seed of the case's inputs: fixed per kernel, shape and input
    /// kind, so every run (and every machine) sees the same inputs.
    fn seed(&self) -> u64 {
        let (a, b, c) = match self.shape {
            Shape::Gemm { m, n, k } => (m, n, k),
            Shape::Attention { seq } => (seq, HEAD_DIM, 0),
        };
        let kind = match (self.kernel, self.inputs) {
            (Kernel::GemmF32, Inputs::Dyadic) => 1,
            (Kernel::GemmF32, Inputs::Uniform) => 2,
            (Kernel::GemmF16, Inputs::Dyadic) => 3,
            (Kernel::GemmF16, Inputs::Uniform) => 4,
            (Kernel::AttentionF32, _) => 5,
        };
        0xA1B2_0000_0000_0000
            ^ (kind << 48)
            ^ (u64::from(a) << 32)
            ^ (u64::from(b) << 16)
            ^ u64::from(c)
    }

    fn data(&self) -> Data {
        let mut rng = Rng::new(self.seed());
        let half = self.kernel == Kernel::GemmF16;
        let mut values = Vec::new();
        let mut buffers = Vec::new();
        let mut input = |name: &'static str, index: u32, len: usize| {
            let v: Vec<f64> = (0..len)
                .map(|_| draw(&mut rng, self.inputs, half))
                .collect();
            let (element, bytes) = if half {
                (
                    Element::F16,
                    v.iter()
                        .flat_map(|x| half::f16::from_f64(*x).to_le_bytes())
                        .collect(),
                )
            } else {
                (
                    Element::F32,
                    v.iter().flat_map(|x| (*x as f32).to_le_bytes()).collect(),
                )
            };
            buffers.push(Buffer {
                name,
                index,
                element,
                bytes,
            });
            values.push(v);
        };
        let nan =
            |len: usize| -> Vec<u8> { (0..len).flat_map(|_| f32::NAN.to_le_bytes()).collect() };
        let scalar = |name: &'static str, index: u32, v: u32| Buffer {
            name,
            index,
            element: Element::U32,
            bytes: v.to_le_bytes().to_vec(),
        };
        match self.shape {
            Shape::Gemm { m, n, k } => {
                let (m, n, k) = (m as usize, n as usize, k as usize);
                input("A", 0, m * k);
                input("B", 1, k * n);
                buffers.push(Buffer {
                    name: "C",
                    index: 2,
                    element: Element::F32,
                    bytes: nan(m * n),
                });
                buffers.push(scalar("M", 3, m as u32));
                buffers.push(scalar("N", 4, n as u32));
                buffers.push(scalar("K", 5, k as u32));
            }
            Shape::Attention { seq } => {
                let len = seq as usize * HEAD_DIM as usize;
                input("Q", 0, len);
                input("K", 1, len);
                input("V", 2, len);
                buffers.push(Buffer {
                    name: "O",
                    index: 3,
                    element: Element::F32,
                    bytes: nan(len),
                });
                buffers.push(scalar("S", 4, seq));
            }
        }
        Data { values, buffers }
    }

    /// Every buffer and scalar with its initial contents, in binding order;
    /// the output starts as NaN everywhere, so an element the kernel never
    /// writes fails the check.
    pub fn buffers(&self) -> Vec<Buffer> {
        self.data().buffers
    }

    /// The name of the output buffer (`C` or `O`).
    pub fn output(&self) -> &'static str {
        match self.shape {
            Shape::Gemm { .. } => "C",
            Shape::Attention { .. } => "O",
        }
    }

    /// The output's `[[buffer(index)]]`.
    pub fn output_index(&self) -> u32 {
        match self.shape {
            Shape::Gemm { .. } => 2,
            Shape::Attention { .. } => 3,
        }
    }

    /// The output's row length (N, or the head dimension).
    fn row_len(&self) -> usize {
        match self.shape {
            Shape::Gemm { n, .. } => n as usize,
            Shape::Attention { .. } => HEAD_DIM as usize,
        }
    }

    /// The exact result in f64, computed from the inputs as the kernel sees
    /// them (half inputs as their half values) and the tolerance of each
    /// element.
    pub fn reference(&self) -> Reference {
        let data = self.data();
        let v = &data.values;
        match self.shape {
            Shape::Gemm { m, n, k } => {
                let (m, n, k) = (m as usize, n as usize, k as usize);
                let (values, abs) = reference::gemm(&v[0], &v[1], m, n, k);
                let bound = match self.inputs {
                    Inputs::Dyadic => vec![0.0; values.len()],
                    Inputs::Uniform => abs.iter().map(|s| reference::gemm_bound(k, *s)).collect(),
                };
                Reference { values, bound }
            }
            Shape::Attention { seq } => {
                let values =
                    reference::attention(&v[0], &v[1], &v[2], seq as usize, HEAD_DIM as usize);
                let bound = vec![reference::attention_bound(seq as usize); values.len()];
                Reference { values, bound }
            }
        }
    }

    /// Compares the output buffer with the reference, element by element.
    pub fn check(&self, output: &[f32]) -> Check {
        self.reference().check(output, self.row_len())
    }

    /// Every case the tests and `airlink demo` run at the shapes of issue
    /// 21: GEMM 64x64x64, 100x72x130 and 1x1x1 in float and half with
    /// dyadic (exact) and uniform inputs, attention with S = 128 and 77.
    pub fn standard() -> Vec<Case> {
        let mut out = Vec::new();
        for kernel in [Kernel::GemmF32, Kernel::GemmF16] {
            for (m, n, k) in [(64, 64, 64), (100, 72, 130), (1, 1, 1)] {
                for inputs in [Inputs::Dyadic, Inputs::Uniform] {
                    out.extend(Case::gemm(kernel, m, n, k, inputs));
                }
            }
        }
        out.extend(Case::attention(128));
        out.extend(Case::attention(77));
        out
    }
}

fn check_dim(what: &str, v: u32) -> Result<()> {
    if v == 0 || v > MAX_DIM {
        return Err(Error::Shape(format!(
            "{what} must be 1..={MAX_DIM}, not {v}"
        )));
    }
    Ok(())
}

/// One input value as the kernel will see it.
fn draw(rng: &mut Rng, inputs: Inputs, half: bool) -> f64 {
    match inputs {
        // j/64, -64 <= j <= 64: exact in half and float.
        Inputs::Dyadic => (rng.below(129) as f64 - 64.0) / 64.0,
        Inputs::Uniform => {
            // 24 random bits: a multiple of 2^-23 in [-1, 1), exact in float.
            let x = (rng.next_u64() >> 40) as f64 / (1u64 << 23) as f64 - 1.0;
            if half {
                half::f16::from_f64(x).to_f64()
            } else {
                x
            }
        }
    }
}

/// The expected output of a case.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    /// The exact result (f64 accumulation), row-major.
    pub values: Vec<f64>,
    /// The largest allowed |got − value| per element.
    pub bound: Vec<f64>,
}

impl Reference {
    /// Compares `output` (row length `row_len`) with the values.
    pub fn check(&self, output: &[f32], row_len: usize) -> Check {
        let mut check = Check {
            correct: 0,
            total: self.values.len(),
            max_error: 0.0,
            wrong: Vec::new(),
        };
        for (i, (want, bound)) in self.values.iter().zip(&self.bound).enumerate() {
            let got = output.get(i).copied().unwrap_or(f32::NAN);
            let err = (f64::from(got) - want).abs();
            // NaN (an element never written) compares false: wrong, and the
            // maximum error becomes infinite.
            let err = if err.is_nan() { f64::INFINITY } else { err };
            check.max_error = check.max_error.max(err);
            if err <= *bound {
                check.correct += 1;
            } else if check.wrong.len() < 4 {
                check.wrong.push(Wrong {
                    row: i / row_len.max(1),
                    col: i % row_len.max(1),
                    got,
                    want: *want,
                    bound: *bound,
                });
            }
        }
        check
    }
}

/// A wrong element.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Wrong {
    /// Its row.
    pub row: usize,
    /// Its column.
    pub col: usize,
    /// What the kernel wrote.
    pub got: f32,
    /// The reference value.
    pub want: f64,
    /// The tolerance.
    pub bound: f64,
}

/// How an output compares with its reference.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// Elements within their tolerance.
    pub correct: usize,
    /// Elements checked.
    pub total: usize,
    /// The largest |got − reference| (infinite if an element is NaN).
    pub max_error: f64,
    /// Up to 4 wrong elements.
    pub wrong: Vec<Wrong>,
}

impl Check {
    /// Whether every element is within its tolerance.
    pub fn passed(&self) -> bool {
        self.correct == self.total
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{} correct  max|err| {:.1e}",
            self.correct, self.total, self.max_error
        )?;
        for w in &self.wrong {
            write!(
                f,
                "; [{},{}] = {} (expected {} within {:.1e})",
                w.row, w.col, w.got, w.want, w.bound
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f32s(b: &[u8]) -> Vec<f32> {
        b.chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    }

    #[test]
    fn shapes_are_checked() {
        assert!(Case::gemm(Kernel::AttentionF32, 1, 1, 1, Inputs::Uniform).is_err());
        assert!(Case::gemm(Kernel::GemmF32, 0, 1, 1, Inputs::Uniform).is_err());
        assert!(Case::gemm(Kernel::GemmF32, 1, MAX_DIM + 1, 1, Inputs::Uniform).is_err());
        assert!(Case::attention(0).is_err());
        let c = Case::gemm(Kernel::GemmF16, 100, 72, 130, Inputs::Dyadic).unwrap();
        assert_eq!(c.label(), "gemm/f16 100x72x130");
        // ceil(100/32) x ceil(72/32) = 4 x 3 threadgroups of 128.
        assert_eq!(c.threads(), 12 * 128);
        assert_eq!(Case::attention(77).unwrap().threads(), 3 * 128);
        assert_eq!(
            Case::attention(77).unwrap().label(),
            "attention/f32 S=77 D=64"
        );
    }

    #[test]
    fn buffers_follow_the_specs_bindings() {
        let c = Case::gemm(Kernel::GemmF16, 3, 5, 7, Inputs::Uniform).unwrap();
        let b = c.buffers();
        let names: Vec<(&str, u32, Element, usize)> = b
            .iter()
            .map(|b| (b.name, b.index, b.element, b.bytes.len()))
            .collect();
        assert_eq!(
            names,
            [
                ("A", 0, Element::F16, 3 * 7 * 2),
                ("B", 1, Element::F16, 7 * 5 * 2),
                ("C", 2, Element::F32, 3 * 5 * 4),
                ("M", 3, Element::U32, 4),
                ("N", 4, Element::U32, 4),
                ("K", 5, Element::U32, 4)
            ]
        );
        assert!(f32s(&b[2].bytes).iter().all(|x| x.is_nan()));
        assert_eq!(b[5].bytes, 7u32.to_le_bytes());
        let a = Case::attention(5).unwrap().buffers();
        assert_eq!(
            a.iter().map(|b| b.name).collect::<Vec<_>>(),
            ["Q", "K", "V", "O", "S"]
        );
        assert_eq!(a[0].bytes.len(), 5 * 64 * 4);
        // Same case, same inputs; another shape, other inputs.
        assert_eq!(c.buffers(), b);
        let other = Case::gemm(Kernel::GemmF16, 3, 5, 8, Inputs::Uniform).unwrap();
        assert_ne!(other.buffers()[0].bytes[..8], b[0].bytes[..8]);
    }

    #[test]
    fn dyadic_inputs_are_sixty_fourths_and_exact_in_half() {
        let c = Case::gemm(Kernel::GemmF16, 16, 16, 16, Inputs::Dyadic).unwrap();
        let d = c.data();
        for v in d.values.iter().flatten() {
            assert!(v.abs() <= 1.0 && (v * 64.0).fract() == 0.0, "{v}");
            assert_eq!(half::f16::from_f64(*v).to_f64(), *v);
        }
        // The reference is exact, so the bound is zero.
        assert!(c.reference().bound.iter().all(|b| *b == 0.0));
    }

    #[test]
    fn uniform_half_inputs_are_rounded_before_the_reference() {
        let c = Case::gemm(Kernel::GemmF16, 4, 4, 4, Inputs::Uniform).unwrap();
        let d = c.data();
        let a = &d.buffers[0].bytes;
        for (i, v) in d.values[0].iter().enumerate() {
            let bits = u16::from_le_bytes([a[2 * i], a[2 * i + 1]]);
            assert_eq!(half::f16::from_bits(bits).to_f64(), *v);
            assert!((-1.0..=1.0).contains(v));
        }
    }

    #[test]
    fn the_check_counts_nan_and_out_of_bound_elements() {
        let r = Reference {
            values: vec![1.0, 2.0, 3.0, 4.0],
            bound: vec![0.0, 0.5, 0.5, 0.0],
        };
        let c = r.check(&[1.0, 2.25, 4.0, f32::NAN], 2);
        assert_eq!((c.correct, c.total), (2, 4));
        assert!(!c.passed());
        assert_eq!(c.max_error, f64::INFINITY);
        assert_eq!((c.wrong[0].row, c.wrong[0].col), (1, 0));
        assert_eq!((c.wrong[1].row, c.wrong[1].col), (1, 1));
        let ok = r.check(&[1.0, 2.5, 3.0, 4.0], 2);
        assert!(ok.passed());
        assert_eq!(ok.max_error, 0.5);
        assert_eq!(ok.to_string(), "4/4 correct  max|err| 5.0e-1");
        // A short output is wrong where it is missing.
        assert_eq!(r.check(&[1.0], 2).correct, 1);
    }

    #[test]
    fn flops_count_multiply_and_add() {
        let g = Case::gemm(Kernel::GemmF32, 2, 3, 4, Inputs::Uniform).unwrap();
        assert_eq!(g.flops(), 48.0);
        assert_eq!(Case::attention(10).unwrap().flops(), 4.0 * 100.0 * 64.0);
    }
}
