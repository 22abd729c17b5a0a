//! The writer, in two layers.
//!
//! - [`Builder`] writes what Apple's stand-alone `metallib` tool writes for
//!   plain functions: one module per function, tags NAME, TYPE, HASH, MDSZ,
//!   OFFT, VERS, an empty header extension, empty metadata groups, and no
//!   UUID or reflection (the runtime accepts libraries without them).
//! - [`RawContainer`] lays out already-encoded tag groups and sections in
//!   Apple's section order and computes only the header and the group sizes.
//!   [`Builder`] produces one; the reader turns a parsed file back into one
//!   for lossless rewrites.

use std::sync::atomic::{AtomicUsize, Ordering};

use sha2::{Digest, Sha256};

use crate::error::WriteError;
use crate::raw::{
    self, FourCc, FunctionType, Header, Identity, Offsets, SectionRange, Versions, HEADER_SIZE,
};

type Result<T, E = WriteError> = std::result::Result<T, E>;

/// An owned tag: code and payload. The size field is derived from the
/// payload (u32 for [`FourCc::has_wide_size`] codes, else u16).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawTag {
    /// The code.
    pub code: FourCc,
    /// The payload.
    pub payload: Vec<u8>,
}

impl RawTag {
    /// A tag.
    pub fn new(code: FourCc, payload: impl Into<Vec<u8>>) -> Self {
        RawTag {
            code,
            payload: payload.into(),
        }
    }
}

/// A whole container as tag groups and byte sections, in Apple's order:
/// header, function list, header extension, public metadata, private
/// metadata, module list, then `trailing` (the optional sections that
/// header-extension tags point at).
///
/// No offset inside a tag is computed here: `OFFT`, `HASH`, `RLST`, ... are
/// written as given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawContainer {
    /// Header bytes 0x04–0x0F.
    pub identity: Identity,
    /// One tag list per function group.
    pub functions: Vec<Vec<RawTag>>,
    /// The header extension's tags (`Some(vec![])` writes a lone `ENDT`).
    pub header_extension: Option<Vec<RawTag>>,
    /// The public metadata groups.
    pub public_metadata: Vec<Vec<RawTag>>,
    /// The private metadata groups.
    pub private_metadata: Vec<Vec<RawTag>>,
    /// The module list bytes.
    pub module_list: Vec<u8>,
    /// Bytes after the module list.
    pub trailing: Vec<u8>,
}

/// Appends the tags of a group and its closing `ENDT`.
fn put_tags(out: &mut Vec<u8>, tags: &[RawTag]) -> Result<()> {
    for t in tags {
        if t.code == raw::ENDT {
            return Err(WriteError::EndtInTags);
        }
        out.extend_from_slice(&t.code.0);
        let len = t.payload.len();
        let too_large = || WriteError::TagTooLarge {
            tag: t.code,
            size: len,
        };
        if t.code.has_wide_size() {
            out.extend_from_slice(&u32::try_from(len).map_err(|_| too_large())?.to_le_bytes());
        } else {
            out.extend_from_slice(&u16::try_from(len).map_err(|_| too_large())?.to_le_bytes());
        }
        out.extend_from_slice(&t.payload);
    }
    out.extend_from_slice(&raw::ENDT.0);
    Ok(())
}

/// Appends a sized group: a u32 size that counts itself, the tags, `ENDT`.
fn put_sized_group(out: &mut Vec<u8>, tags: &[RawTag]) -> Result<()> {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    put_tags(out, tags)?;
    let size = out.len() - start;
    let size = u32::try_from(size).map_err(|_| WriteError::GroupTooLarge { size })?;
    out[start..start + 4].copy_from_slice(&size.to_le_bytes());
    Ok(())
}

/// Encodes a run of sized groups.
fn sized_groups(groups: &[Vec<RawTag>]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for g in groups {
        put_sized_group(&mut out, g)?;
    }
    Ok(out)
}

impl RawContainer {
    /// Lays the container out.
    ///
    /// # Errors
    /// A payload, group or count too large for its field, or `ENDT` given as
    /// a tag.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let count =
            u32::try_from(self.functions.len()).map_err(|_| WriteError::TooManyFunctions {
                count: self.functions.len(),
            })?;
        let mut function_list = count.to_le_bytes().to_vec();
        for g in &self.functions {
            put_sized_group(&mut function_list, g)?;
        }
        let mut extension = Vec::new();
        if let Some(tags) = &self.header_extension {
            put_tags(&mut extension, tags)?;
        }
        let public = sized_groups(&self.public_metadata)?;
        let private = sized_groups(&self.private_metadata)?;

        let mut at = HEADER_SIZE as u64;
        let mut place = |len: usize| {
            let r = SectionRange {
                offset: at,
                size: len as u64,
            };
            at += len as u64;
            r
        };
        let fl = place(function_list.len());
        place(extension.len());
        let header = Header {
            identity: self.identity,
            file_size: 0,
            // The header's function-list size leaves out the u32 count.
            function_list: SectionRange {
                offset: fl.offset,
                size: fl.size - 4,
            },
            public_metadata: place(public.len()),
            private_metadata: place(private.len()),
            module_list: place(self.module_list.len()),
        };
        let file_size = at + self.trailing.len() as u64;
        let header = Header {
            file_size,
            ..header
        };

        let mut out = Vec::with_capacity(usize::try_from(file_size).unwrap_or(0));
        out.extend_from_slice(&header.to_bytes());
        for part in [
            &function_list,
            &extension,
            &public,
            &private,
            &self.module_list,
            &self.trailing,
        ] {
            out.extend_from_slice(part);
        }
        debug_assert_eq!(out.len() as u64, file_size);
        Ok(out)
    }
}

/// Module bytes from which [`Builder::to_raw`] hashes on several threads
/// (below, a thread costs more than it saves).
const PARALLEL_HASH_MIN_BYTES: usize = 1 << 20;

/// The machine's parallelism, looked up once per process: on Linux the
/// lookup reads cgroup files, which costs tens of microseconds.
fn available_threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// The SHA-256 of each function's module, in function order, computed on
/// `threads` scoped threads that take modules one at a time (a large and a
/// small module cost very different times). The result does not depend on
/// `threads`.
fn module_hashes(functions: &[NewFunction], threads: usize) -> Vec<[u8; 32]> {
    let hash = |f: &NewFunction| -> [u8; 32] { Sha256::digest(&f.module).into() };
    if threads <= 1 {
        return functions.iter().map(hash).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(f) = functions.get(i) else { break };
            done.push((i, hash(f)));
        }
        done
    };
    let mut hashes = vec![[0; 32]; functions.len()];
    std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut all = work();
        for h in handles {
            // Hashing does not panic; should it, carry the panic on.
            all.extend(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        for (i, h) in all {
            hashes[i] = h;
        }
    });
    hashes
}

/// A function to add to a [`Builder`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewFunction {
    /// The name (non-empty, no NUL).
    pub name: String,
    /// `TYPE`.
    pub function_type: FunctionType,
    /// `VERS`.
    pub versions: Versions,
    /// The module entry exactly as stored: wrapper, bitcode and padding.
    /// `MDSZ` is its length and `HASH` its SHA-256.
    pub module: Vec<u8>,
}

/// Index of a function added to a [`Builder`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FunctionId(pub usize);

/// Builds a library the way Apple's stand-alone `metallib` tool lays it out.
#[derive(Clone, Debug)]
pub struct Builder {
    identity: Identity,
    functions: Vec<NewFunction>,
}

impl Builder {
    /// An empty library with header bytes `identity`.
    pub fn new(identity: Identity) -> Self {
        Builder {
            identity,
            functions: Vec::new(),
        }
    }

    /// An empty library for `target`.
    pub fn for_target(target: &air_target::Target) -> Self {
        Self::new(Identity::for_target(target))
    }

    /// Adds a function; functions keep the order they are added in.
    pub fn add_function(&mut self, function: NewFunction) -> FunctionId {
        self.functions.push(function);
        FunctionId(self.functions.len() - 1)
    }

    /// The functions added so far.
    pub fn functions(&self) -> &[NewFunction] {
        &self.functions
    }

    /// The container as tag groups and sections.
    ///
    /// # Errors
    /// A name that is empty, contains NUL or is too long for its tag.
    pub fn to_raw(&self) -> Result<RawContainer> {
        let mut functions = Vec::with_capacity(self.functions.len());
        let total: usize = self.functions.iter().map(|f| f.module.len()).sum();
        let mut module_list = Vec::with_capacity(total);
        // Hashing is the one pass over every module byte left after
        // encoding, and it runs after every entry is done: on a large
        // library, share it out instead of leaving the other cores idle.
        let threads = if total >= PARALLEL_HASH_MIN_BYTES {
            available_threads().min(self.functions.len())
        } else {
            1
        };
        let hashes = module_hashes(&self.functions, threads);
        for ((i, f), hash) in self.functions.iter().enumerate().zip(hashes) {
            if f.name.is_empty() || f.name.contains('\0') {
                return Err(WriteError::BadName {
                    name: f.name.clone(),
                });
            }
            let mut name = f.name.as_bytes().to_vec();
            name.push(0);
            // Every metadata group is the 8-byte empty group, so the i-th
            // function's groups sit at 8 * i in both sections.
            let offsets = Offsets {
                public_metadata: 8 * i as u64,
                private_metadata: 8 * i as u64,
                module: module_list.len() as u64,
            };
            // The stand-alone tool's order (the one-step driver puts MDSZ
            // after VERS); both load, and this one is what the reverse-linking
            // shells were measured with.
            functions.push(vec![
                RawTag::new(raw::NAME, name),
                RawTag::new(raw::TYPE, [f.function_type.0]),
                RawTag::new(raw::HASH, hash),
                RawTag::new(raw::MDSZ, (f.module.len() as u64).to_le_bytes()),
                RawTag::new(raw::OFFT, offsets.to_bytes()),
                RawTag::new(raw::VERS, f.versions.to_bytes()),
            ]);
            module_list.extend_from_slice(&f.module);
        }
        let empty = vec![Vec::new(); self.functions.len()];
        Ok(RawContainer {
            identity: self.identity,
            functions,
            // Containers before 1.2.3 have no header extension; every later
            // one has at least the closing ENDT.
            header_extension: self.identity.has_header_extension().then(Vec::new),
            public_metadata: empty.clone(),
            private_metadata: empty,
            module_list,
            trailing: Vec::new(),
        })
    }

    /// Writes the library.
    ///
    /// # Errors
    /// See [`Builder::to_raw`] and [`RawContainer::to_bytes`].
    pub fn write(&self) -> Result<Vec<u8>> {
        self.to_raw()?.to_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_library_is_header_count_endt_and_nothing_else() {
        let bytes = Builder::for_target(air_target::Target::by_id("macos26").unwrap())
            .write()
            .unwrap();
        assert_eq!(bytes.len(), 88 + 4 + 4);
        assert_eq!(&bytes[88..], b"\0\0\0\0ENDT");
        let h = crate::read::MetallibFile::parse(&bytes).unwrap();
        assert!(h.functions().is_empty());
        assert_eq!(h.header().function_list.size, 0);
    }

    #[test]
    fn module_hashes_do_not_depend_on_the_thread_count() {
        let target = air_target::Target::by_id("macos26").unwrap();
        let functions: Vec<NewFunction> = (0..7u8)
            .map(|i| NewFunction {
                name: format!("f{i}"),
                function_type: FunctionType::KERNEL,
                versions: Versions::for_target(target),
                module: vec![i; 16 * (1 + usize::from(i) * 5)],
            })
            .collect();
        let one = module_hashes(&functions, 1);
        for (f, h) in functions.iter().zip(&one) {
            let expected: [u8; 32] = Sha256::digest(&f.module).into();
            assert_eq!(*h, expected, "{}", f.name);
        }
        for threads in [2, 3, 8] {
            assert_eq!(module_hashes(&functions, threads), one, "{threads} threads");
        }
    }

    #[test]
    fn oversized_payloads_are_refused() {
        let raw = RawContainer {
            functions: vec![vec![RawTag::new(raw::NAME, vec![b'a'; 70_000])]],
            ..RawContainer::default()
        };
        assert!(matches!(
            raw.to_bytes(),
            Err(WriteError::TagTooLarge { .. })
        ));
        let raw = RawContainer {
            functions: vec![vec![RawTag::new(raw::ENDT, [])]],
            ..RawContainer::default()
        };
        assert_eq!(raw.to_bytes(), Err(WriteError::EndtInTags));
    }
}
