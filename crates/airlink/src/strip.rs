//! `airlink strip`: rewrite a `.metallib` without what the flags name.
//!
//! The library goes through the container's owned model
//! ([`metallib::Library`]): without flags it is written back byte for byte;
//! each flag removes parts and the writer recomputes every offset, size and
//! hash. The result is read back and checked before it is written.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use metallib::{HashStatus, Library, MetallibFile};

use crate::inspect::parse_library;
use crate::io::{display_name, write_output};
use crate::io::{read_input, MAX_INPUT_BYTES};

/// Options of `airlink strip`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Without flags the library is rewritten unchanged, byte for byte. Only libraries in Apple's
layout (sections in order, no gaps; `airlink inspect` says so) can be rewritten; a library
whose HASH does not match its module is refused.

--sources removes what -frecord-sources embeds: the HSRD/HSRC section (the link command,
the working directory and the source archives), every function's SOFF tag, and the DEPF
tags (the temporary .air file's path, which Apple writes only with recorded sources).
--reflection removes the RLST reflection list and every function's RFLT tag.
--debug removes debug information from every module that has any (what `opt-14
-strip-debug` removes; the module is re-encoded by airlink's Apple-flavour writer, see
docs/bitcode-rules.md) and the DEBI debug locations of the private metadata; modules
without debug information keep their bytes.
Offsets, sizes and hashes are recomputed, and the result is read back (hashes verified)
before it is written.

Examples:
  airlink strip kernel.metallib -o kernel.stripped.metallib
  airlink strip kernel.metallib -o kernel.stripped.metallib --sources --reflection
  airlink strip kernel.metallib -o kernel.stripped.metallib --all

Exit status: 0 on success, 1 when the library cannot be read, is not in Apple's layout,
has a bad HASH, or the rewrite fails; 2 on a usage error.
Outputs are replaced atomically; on error they are left untouched.")]
pub struct Opts {
    /// The library (`-` for standard input).
    input: PathBuf,
    /// Where to write the result (`-` for standard output).
    #[arg(short, long)]
    output: PathBuf,
    /// Remove the embedded sources (HSRD/HSRC, SOFF, DEPF).
    #[arg(long)]
    sources: bool,
    /// Remove debug information from the modules and the DEBI tags.
    #[arg(long)]
    debug: bool,
    /// Remove the reflection list (RLST, RFLT).
    #[arg(long)]
    reflection: bool,
    /// Everything above: --sources --debug --reflection.
    #[arg(long)]
    all: bool,
}

/// Re-encodes one module entry (wrapper, bitcode, padding) without its
/// debug information.
pub type ModuleRewrite = fn(&[u8]) -> Result<Vec<u8>, String>;

/// The debug-information stripper of the bitcode crates: the module read,
/// stripped as `opt-14 -strip-debug` does and written again by the Apple
/// flavour ([`air_bitcode::strip_debug_info`]); same bytes when the module
/// has no debug info.
fn strip_module_debug(module: &[u8]) -> Result<Vec<u8>, String> {
    air_bitcode::strip_debug_info(module)
        .map(|(bytes, _)| bytes)
        .map_err(|e| e.to_string())
}

/// What one strip did.
#[derive(Debug, Default, PartialEq, Eq)]
struct Report {
    removed: Vec<&'static str>,
    modules_rewritten: usize,
}

impl Opts {
    /// Runs the subcommand.
    pub fn run(&self) -> Result<()> {
        let debug: Option<ModuleRewrite> = (self.debug || self.all).then_some(strip_module_debug);
        let name = display_name(&self.input);
        let bytes = read_input(&self.input, MAX_INPUT_BYTES)?;
        let (out, report) = self.strip(&bytes, debug)?;
        write_output(Some(&self.output), &out)?;
        let what = if report.removed.is_empty() && report.modules_rewritten == 0 {
            if out == bytes {
                "unchanged".to_string()
            } else {
                "nothing removed".to_string()
            }
        } else {
            let mut parts: Vec<String> = report.removed.iter().map(|s| s.to_string()).collect();
            if report.modules_rewritten > 0 {
                parts.push(format!("{} modules re-encoded", report.modules_rewritten));
            }
            format!("removed {}", parts.join(", "))
        };
        eprintln!("{name}: {} -> {} bytes, {what}", bytes.len(), out.len());
        Ok(())
    }

    /// The rewritten library and what was removed.
    fn strip(&self, bytes: &[u8], debug: Option<ModuleRewrite>) -> Result<(Vec<u8>, Report)> {
        let name = display_name(&self.input);
        let file = parse_library(bytes, &self.input)?;
        let bad: Vec<&str> = file
            .functions()
            .iter()
            .zip(file.hash_statuses())
            .filter(|(_, s)| *s == HashStatus::Bad)
            .map(|(f, _)| f.name)
            .collect();
        if !bad.is_empty() {
            bail!(
                "{name}: error: the HASH of {} does not match its module; the library would not \
                 load, so strip does not rewrite it",
                bad.join(", ")
            );
        }
        let mut library =
            Library::from_file(&file).map_err(|e| anyhow::anyhow!("{name}: error: {e}"))?;
        let mut report = Report::default();
        if (self.sources || self.all) && library.remove_sources() {
            report.removed.push("embedded sources");
        }
        if (self.reflection || self.all) && library.remove_reflection() {
            report.removed.push("reflection list");
        }
        if let Some(rewrite) = debug {
            if library.remove_debug_locations() {
                report.removed.push("debug locations");
            }
            report.modules_rewritten = library
                .replace_modules(|i, m| rewrite(m).map(Some).map_err(|e| (i, e)))
                .map_err(|(i, e)| anyhow::anyhow!("{name}: module {i}: {e}"))?;
        }
        let out = library
            .write()
            .with_context(|| format!("{name}: cannot write the stripped library"))?;
        check_result(&file, &out).with_context(|| {
            format!("{name}: the stripped library does not read back (a bug in airlink)")
        })?;
        Ok((out, report))
    }
}

/// The result parses, its hashes verify, it is in Apple's layout and it
/// has the original's functions.
fn check_result(original: &MetallibFile<'_>, out: &[u8]) -> Result<()> {
    let back = MetallibFile::parse(out)?;
    if !back.hashes_ok() {
        bail!("a HASH does not match its module");
    }
    Library::from_file(&back)?;
    let names = |f: &MetallibFile<'_>| -> Vec<String> {
        f.functions().iter().map(|f| f.name.to_string()).collect()
    };
    if names(&back) != names(original) {
        bail!("the functions changed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use metallib::library::{ExtensionTag, FunctionTag, Section, Sources};
    use metallib::raw::{self, FunctionType, SizeRule, Versions};
    use metallib::write::RawTag;

    fn opts(flags: &[&str]) -> Opts {
        Opts {
            input: PathBuf::from("lib.metallib"),
            output: PathBuf::from("out.metallib"),
            sources: flags.contains(&"sources"),
            debug: flags.contains(&"debug"),
            reflection: flags.contains(&"reflection"),
            all: flags.contains(&"all"),
        }
    }

    /// A one-kernel library with embedded sources (SOFF, DEPF) and a debug
    /// location (DEBI).
    fn library_with_sources() -> Vec<u8> {
        let target = air_target::Target::by_id("macos26").unwrap();
        let mut b = metallib::Builder::for_target(target);
        b.add_function(metallib::NewFunction {
            name: "k".into(),
            function_type: FunctionType::KERNEL,
            versions: Versions::for_target(target),
            module: vec![7; 32],
        });
        let mut lib = b.into_library().unwrap();
        lib.sections.push(Section::Sources(Sources {
            strings: vec![b"metal -c k.metal".to_vec(), b"/work".to_vec()],
            groups: vec![metallib::library::Group {
                rule: SizeRule::ExcludesItself,
                tags: vec![RawTag::new(raw::SARC, *b"0\0BZh9")],
            }],
        }));
        lib.header_extension = Some(vec![ExtensionTag::Section {
            code: raw::HSRD,
            section: 0,
        }]);
        lib.functions[0].tags.push(FunctionTag::SourceOffset(0));
        lib.private_metadata[0]
            .tags
            .push(RawTag::new(raw::DEPF, *b"/tmp/k.air\0"));
        lib.private_metadata[0]
            .tags
            .push(RawTag::new(raw::DEBI, *b"\x04\0\0\0/k.metal\0"));
        lib.write().unwrap()
    }

    #[test]
    fn no_flag_is_byte_identical_and_flags_remove_what_they_name() {
        let bytes = library_with_sources();
        let (out, report) = opts(&[]).strip(&bytes, None).unwrap();
        assert_eq!(out, bytes);
        assert_eq!(report, Report::default());

        let (out, report) = opts(&["sources"]).strip(&bytes, None).unwrap();
        assert_eq!(report.removed, ["embedded sources"]);
        let file = MetallibFile::parse(&out).unwrap();
        assert!(file.sources().is_none() && file.hashes_ok());
        assert_eq!(file.functions()[0].source_offset, None);
        let private = &file.private_metadata()[0];
        let codes: Vec<_> = private.tags.iter().map(|t| t.code).collect();
        assert_eq!(codes, [raw::DEBI]);
        // Shorter by, counted by hand: SOFF 4+2+8, DEPF 4+2+11, the HSRD
        // tag 4+2+16, and the section: count 4, "metal -c k.metal\0" 17,
        // "/work\0" 6, the group (size 4, SARC 4+4+6, ENDT 4).
        assert_eq!(bytes.len() - out.len(), 14 + 17 + 22 + (4 + 17 + 6 + 22));
        // Stripping again changes nothing.
        let (again, report) = opts(&["sources", "reflection"]).strip(&out, None).unwrap();
        assert_eq!((again, report), (out, Report::default()));
    }

    #[test]
    fn debug_rewrites_every_module_and_recomputes_hashes() {
        // A stand-in for the bitcode crates' stripper: any rewrite works
        // the same way for the container.
        fn fake(m: &[u8]) -> Result<Vec<u8>, String> {
            Ok(m[..16].to_vec())
        }
        fn failing(_: &[u8]) -> Result<Vec<u8>, String> {
            Err("no".into())
        }
        let bytes = library_with_sources();
        let (out, report) = opts(&["debug"]).strip(&bytes, Some(fake)).unwrap();
        assert_eq!(report.removed, ["debug locations"]);
        assert_eq!(report.modules_rewritten, 1);
        let file = MetallibFile::parse(&out).unwrap();
        assert!(file.hashes_ok());
        assert_eq!(file.functions()[0].module, &[7; 16]);
        let err = opts(&["debug"]).strip(&bytes, Some(failing)).unwrap_err();
        assert_eq!(err.to_string(), "lib.metallib: module 0: no");
    }

    #[test]
    fn debug_with_the_real_stripper_removes_a_modules_debug_info() {
        // The corpus module with every debug-info node kind, assembled
        // into a library, stripped, read back: no debug info is left, the
        // kernel is still there, and a second strip changes nothing.
        let text = include_str!("../../../tests/corpus/debug_info.ll");
        let target = air_target::Target::by_id("macos26").unwrap();
        let input = air_assemble::Input::Text {
            text,
            path: "debug_info.ll",
        };
        let options = air_assemble::Options::for_target(target);
        let bytes = air_assemble::assemble(input, &options).unwrap().bytes;
        let (out, report) = opts(&["debug"])
            .strip(&bytes, Some(strip_module_debug))
            .unwrap();
        assert_eq!(report.modules_rewritten, 1);
        assert!(out.len() < bytes.len());
        let file = MetallibFile::parse(&out).unwrap();
        assert!(file.hashes_ok());
        let module = air_bitcode::read_module(file.functions()[0].module).unwrap();
        let printed = air_ir::print(&module);
        assert!(
            !printed.contains("!dbg") && !printed.contains("!DI"),
            "{printed}"
        );
        assert!(printed.contains("define "), "{printed}");
        let (again, report) = opts(&["debug"])
            .strip(&out, Some(strip_module_debug))
            .unwrap();
        assert_eq!((again, report.modules_rewritten), (out, 0));
    }

    #[test]
    fn bad_hashes_and_foreign_layouts_are_refused() {
        let mut bytes = library_with_sources();
        // The module is the 32 bytes of 7 right before the HSRD section.
        let at = bytes.windows(32).position(|w| w == [7; 32]).unwrap();
        bytes[at] ^= 1;
        let err = opts(&[]).strip(&bytes, None).unwrap_err().to_string();
        assert!(
            err.contains("the HASH of k does not match its module"),
            "{err}"
        );
        bytes[at] ^= 1;
        // One byte appended: the file size field no longer matches.
        let mut longer = bytes.clone();
        longer.push(0);
        let size = (longer.len() as u64).to_le_bytes();
        longer[0x10..0x18].copy_from_slice(&size);
        let err = opts(&[]).strip(&longer, None).unwrap_err().to_string();
        assert!(err.contains("belong to no section"), "{err}");
    }
}
