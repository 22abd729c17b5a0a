//! Matching a dispatch's arguments to the manifest's buffers and scalars,
//! portably: the Apple side walks the resulting [`Binding`]s.

use std::collections::BTreeSet;

use air_shell::Manifest;

use crate::error::{Error, Result, Step};
use crate::options::ConstantValue;

mod sealed {
    pub trait Sealed {}
}

/// An element type the typed buffer helpers can hold: plain numbers, valid
/// for every bit pattern (so reading GPU-written bytes back is sound).
/// Sealed: implemented for `f32`, `u32`, `i32`, `u16`, `i16`, `u8`, `i8`,
/// `u64`, `i64`.
pub trait Element: sealed::Sealed + Copy + Default + Send + Sync + 'static {
    /// The manifest element names this type may be bound to (`u16` also
    /// carries `half` and `bfloat` bits).
    const MSL: &'static [&'static str];
}

macro_rules! element {
    ($t:ty, $($n:literal),+) => {
        impl sealed::Sealed for $t {}
        impl Element for $t {
            const MSL: &'static [&'static str] = &[$($n),+];
        }
    };
}

element!(f32, "float");
element!(u32, "uint");
element!(i32, "int");
element!(u16, "ushort", "half", "bfloat");
element!(i16, "short");
element!(u8, "uchar");
element!(i8, "char");
element!(u64, "ulong");
element!(i64, "long");

/// What the binder needs to know about a buffer.
pub trait BufferInfo {
    /// The element names its type may be bound to ([`Element::MSL`]).
    fn element_names(&self) -> &'static [&'static str];
    /// Its length in bytes.
    fn byte_len(&self) -> usize;
}

/// One argument of a dispatch, by manifest name.
#[derive(Debug)]
pub enum Arg<'a, B> {
    /// A device buffer.
    Buffer(&'a B),
    /// A scalar (`constant T&`).
    Scalar(ConstantValue),
}

/// One binding the encoder performs.
#[derive(Debug)]
pub enum Binding<'a, B> {
    /// `setBuffer:offset:0 atIndex:index`.
    Buffer {
        /// `[[buffer(index)]]`.
        index: u32,
        /// The manifest name.
        name: String,
        /// The buffer.
        buffer: &'a B,
    },
    /// `setBytes:length:atIndex:index`.
    Bytes {
        /// `[[buffer(index)]]`.
        index: u32,
        /// The manifest name.
        name: String,
        /// The value's bytes.
        bytes: Vec<u8>,
    },
}

/// Matches `args` to the manifest: every manifest buffer and scalar needs
/// exactly one argument of the right kind and type, and no argument may
/// name something the manifest lacks.
///
/// # Errors
/// [`Step::Bind`], listing every problem.
pub fn plan_bindings<'a, B: BufferInfo>(
    manifest: &Manifest,
    args: &[(&str, Arg<'a, B>)],
) -> Result<Vec<Binding<'a, B>>> {
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (name, _) in args {
        if !seen.insert(*name) {
            problems.push(format!("`{name}` is given twice"));
        }
        let known = manifest.buffers.iter().any(|b| b.name == *name)
            || manifest.scalars.iter().any(|s| s.name == *name);
        if !known {
            problems.push(format!(
                "`{name}` is not an argument of kernel `{}` (it takes: {})",
                manifest.kernel,
                names(manifest)
            ));
        }
    }
    for b in &manifest.buffers {
        match args.iter().find(|(n, _)| *n == b.name) {
            None => problems.push(format!(
                "buffer `{}` ([[buffer({})]], {} {}) is not given",
                b.name, b.index, b.access, b.element
            )),
            Some((_, Arg::Scalar(v))) => problems.push(format!(
                "`{}` is a {} buffer, but a {} scalar is given",
                b.name,
                b.element,
                v.scalar().msl_name()
            )),
            Some((_, Arg::Buffer(buf))) => {
                if !buf.element_names().contains(&b.element.as_str()) {
                    problems.push(format!(
                        "buffer `{}` holds {}, but the buffer given holds {}",
                        b.name,
                        b.element,
                        buf.element_names().join("/")
                    ));
                } else if buf.byte_len() == 0 {
                    problems.push(format!("buffer `{}` is empty", b.name));
                } else {
                    out.push(Binding::Buffer {
                        index: b.index,
                        name: b.name.clone(),
                        buffer: *buf,
                    });
                }
            }
        }
    }
    for s in &manifest.scalars {
        match args.iter().find(|(n, _)| *n == s.name) {
            None => problems.push(format!(
                "scalar `{}` ([[buffer({})]], {}) is not given",
                s.name, s.index, s.ty
            )),
            Some((_, Arg::Buffer(_))) => problems.push(format!(
                "`{}` is a {} scalar, but a buffer is given",
                s.name, s.ty
            )),
            Some((_, Arg::Scalar(v))) => {
                if v.scalar().msl_name() != s.ty {
                    problems.push(format!(
                        "scalar `{}` is {}, but a {} value is given",
                        s.name,
                        s.ty,
                        v.scalar().msl_name()
                    ));
                } else {
                    out.push(Binding::Bytes {
                        index: s.index,
                        name: s.name.clone(),
                        bytes: v.bytes(),
                    });
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::invalid(Step::Bind, problems.join("; ")))
    }
}

fn names(m: &Manifest) -> String {
    let v: Vec<&str> = m
        .buffers
        .iter()
        .map(|b| b.name.as_str())
        .chain(m.scalars.iter().map(|s| s.name.as_str()))
        .collect();
    if v.is_empty() {
        "nothing".to_string()
    } else {
        v.join(", ")
    }
}

/// The dispatch size, in threads or threadgroups. The threads per
/// threadgroup always come from the manifest (the shell assumes them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grid {
    /// `dispatchThreads:` (non-uniform: the last threadgroup may be
    /// partial), as the seed's tests dispatch.
    Threads([u64; 3]),
    /// `dispatchThreadgroups:`.
    Threadgroups([u64; 3]),
}

impl Grid {
    /// A 1D grid of `n` threads.
    pub fn threads(n: u64) -> Grid {
        Grid::Threads([n, 1, 1])
    }

    /// Checks the grid is non-empty.
    ///
    /// # Errors
    /// [`Step::Encode`] for a zero dimension.
    pub fn validate(&self) -> Result<()> {
        let dims = match self {
            Grid::Threads(d) | Grid::Threadgroups(d) => d,
        };
        if dims.contains(&0) {
            return Err(Error::invalid(
                Step::Encode,
                format!("the grid {dims:?} has a zero dimension"),
            ));
        }
        Ok(())
    }
}
