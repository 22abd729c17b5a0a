//! The writer for new libraries: [`Builder`] lays out plain functions the
//! way Apple's stand-alone `metallib` tool does (docs/metallib-container.md,
//! "A minimal library for one kernel"): one module per function, the tags
//! NAME, TYPE, HASH, MDSZ, OFFT, VERS, an empty header extension, one empty
//! public and one empty private metadata group per function written as the
//! tool writes them (`04 00 00 00 ENDT`: the size word does not count
//! itself), and no UUID or reflection (the runtime accepts libraries
//! without them).
//!
//! It builds a [`Library`], the owned model every write goes through;
//! [`Library::write`] computes the offsets, sizes and hashes.

use crate::error::WriteError;
use crate::library::{FunctionTag, Group, HashValue, Library};
use crate::raw::{self, FourCc, FunctionType, Identity, SizeRule, Versions};

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
    library: Library,
    /// A name that cannot be written, reported by [`Builder::write`].
    bad_name: Option<String>,
}

impl Builder {
    /// An empty library with header bytes `identity`.
    pub fn new(identity: Identity) -> Self {
        Builder {
            library: Library {
                identity,
                functions: Vec::new(),
                // Containers before 1.2.3 have no header extension; every
                // later one has at least the closing ENDT.
                header_extension: identity.has_header_extension().then(Vec::new),
                public_metadata: Vec::new(),
                private_metadata: Vec::new(),
                modules: Vec::new(),
                sections: Vec::new(),
            },
            bad_name: None,
        }
    }

    /// An empty library for `target`.
    pub fn for_target(target: &air_target::Target) -> Self {
        Self::new(Identity::for_target(target))
    }

    /// Adds a function; functions keep the order they are added in. The
    /// module is moved into the library, not copied.
    pub fn add_function(&mut self, function: NewFunction) -> FunctionId {
        let lib = &mut self.library;
        let index = lib.functions.len();
        if (function.name.is_empty() || function.name.contains('\0')) && self.bad_name.is_none() {
            self.bad_name = Some(function.name.clone());
        }
        let mut name = function.name.into_bytes();
        name.push(0);
        // The stand-alone tool's order (the one-step driver puts MDSZ
        // after VERS); both load, and this one is what the reverse-linking
        // shells were measured with.
        lib.functions.push(crate::library::Function {
            // Function groups count their size word under both tools.
            rule: SizeRule::CountsItself,
            tags: vec![
                FunctionTag::Other(RawTag::new(raw::NAME, name)),
                FunctionTag::Other(RawTag::new(raw::TYPE, [function.function_type.0])),
                FunctionTag::Hash(HashValue::OfModule),
                FunctionTag::ModuleSize,
                FunctionTag::Offsets,
                FunctionTag::Other(RawTag::new(raw::VERS, function.versions.to_bytes())),
            ],
            module: lib.modules.len(),
            public_metadata: lib.public_metadata.len(),
            private_metadata: lib.private_metadata.len(),
        });
        lib.modules.push(function.module);
        // The tool's empty groups: `04 00 00 00 ENDT`.
        lib.public_metadata
            .push(Group::empty(SizeRule::ExcludesItself));
        lib.private_metadata
            .push(Group::empty(SizeRule::ExcludesItself));
        FunctionId(index)
    }

    /// The library built so far.
    pub fn library(&self) -> &Library {
        &self.library
    }

    /// The library, for further edits.
    ///
    /// # Errors
    /// A name that is empty or contains NUL.
    pub fn into_library(self) -> Result<Library> {
        match self.bad_name {
            Some(name) => Err(WriteError::BadName { name }),
            None => Ok(self.library),
        }
    }

    /// Writes the library.
    ///
    /// # Errors
    /// A name that is empty, contains NUL or is too long for its tag; see
    /// also [`Library::write`].
    pub fn write(&self) -> Result<Vec<u8>> {
        if let Some(name) = &self.bad_name {
            return Err(WriteError::BadName { name: name.clone() });
        }
        self.library.write()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::module_hashes;
    use sha2::{Digest, Sha256};

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
        let modules: Vec<Vec<u8>> = (0..7u8)
            .map(|i| vec![i; 16 * (1 + usize::from(i) * 5)])
            .collect();
        let wanted: Vec<bool> = (0..7).map(|i| i != 3).collect();
        let one = module_hashes(&modules, &wanted, 1);
        for (i, (m, h)) in modules.iter().zip(&one).enumerate() {
            let expected: [u8; 32] = Sha256::digest(m).into();
            assert_eq!(*h, (i != 3).then_some(expected), "module {i}");
        }
        for threads in [2, 3, 8] {
            assert_eq!(
                module_hashes(&modules, &wanted, threads),
                one,
                "{threads} threads"
            );
        }
    }

    #[test]
    fn bad_names_and_oversized_payloads_are_refused() {
        let target = air_target::Target::by_id("macos26").unwrap();
        for (name, len) in [("", 1), ("a\0b", 1), (&*"a".repeat(70_000), 2)] {
            let mut b = Builder::for_target(target);
            b.add_function(NewFunction {
                name: name.to_string(),
                function_type: FunctionType::KERNEL,
                versions: Versions::for_target(target),
                module: vec![0; 16],
            });
            let e = b.write().unwrap_err();
            if len == 1 {
                assert_eq!(e, WriteError::BadName { name: name.into() });
            } else {
                assert!(matches!(e, WriteError::TagTooLarge { .. }), "{e}");
            }
        }
        let mut lib = Builder::for_target(target).into_library().unwrap();
        lib.header_extension = Some(vec![crate::library::ExtensionTag::Other(RawTag::new(
            raw::ENDT,
            [],
        ))]);
        assert_eq!(lib.write(), Err(WriteError::EndtInTags));
    }
}
