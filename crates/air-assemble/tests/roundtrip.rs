//! Every corpus file × every target: assemble (link step + llvm-as-14 as the
//! encoder), read back, and check the modules with LLVM 14's own tools.

mod common;

use air_assemble::link::{link_entries, EntryKind};
use air_assemble::{assemble_with_encoder, Input, Options, TargetChoice};
use air_ir::Metadata;
use air_target::TARGETS;
use metallib::{HashStatus, MetallibFile};

#[test]
fn write_read_round_trip_for_every_corpus_file_and_target() {
    let mut checked = 0;
    let mut refused = Vec::new();
    for path in common::corpus_files() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let module = common::load(&path);
        for target in TARGETS {
            let what = format!("{name} for {}", target.id);
            // Entries may be encoded on several threads in any order; the
            // linked module's source_filename is its entry's name.
            let encoded = std::sync::Mutex::new(std::collections::HashMap::new());
            let options = Options {
                target: TargetChoice::Target(target),
                retarget: true,
                threads: 0,
                ..Options::default()
            };
            let input = Input::Module {
                module: &module,
                path: &name,
            };
            let result = assemble_with_encoder(input, &options, |m| {
                let b = common::encode_with_llvm_as(m)?;
                let entry = m.source_filename.clone().unwrap_or_default();
                encoded.lock().unwrap().insert(entry, b.clone());
                Ok::<_, String>(b)
            });
            let bytes = match result {
                Ok(library) => library.bytes,
                // Intrinsic signatures change between AIR versions, so some
                // modules cannot move to an older target by metadata alone;
                // that must be reported, not written.
                Err(air_assemble::Error::RetargetedModuleInvalid { .. }) => {
                    refused.push(what);
                    continue;
                }
                Err(e) => panic!("{what}: {e}"),
            };

            // The reader returns what was written.
            let file = MetallibFile::parse(&bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
            let header = file.header();
            assert_eq!(bytes[..16], target.header_prefix(), "{what}");
            assert_eq!(header.file_size, bytes.len() as u64);

            let mut retargeted = module.clone();
            air_assemble::target::apply_target(&mut retargeted, target, true).unwrap();
            let entries = link_entries(&retargeted).unwrap();
            assert_eq!(file.functions().len(), entries.len(), "{what}");
            let encoded = encoded.into_inner().unwrap();
            assert_eq!(encoded.len(), entries.len(), "{what}");
            for (f, entry) in file.functions().iter().zip(&entries) {
                assert_eq!(f.name, entry.name, "{what}");
                let module_bytes = &encoded[&entry.name];
                assert_eq!(f.function_type, Some(entry.kind.function_type()), "{what}");
                assert_eq!(f.module, &module_bytes[..], "{what}: {}", f.name);
                assert_eq!(f.hash_status(), HashStatus::Ok, "{what}: {}", f.name);
                let v = f.versions.unwrap();
                let (a, b, _) = target.air_version;
                assert_eq!((u32::from(v.air.0), u32::from(v.air.1)), (a, b), "{what}");
                let tags: Vec<String> = f.group.tags.iter().map(|t| t.code.to_text()).collect();
                assert_eq!(
                    tags,
                    ["NAME", "TYPE", "HASH", "MDSZ", "OFFT", "VERS"],
                    "{what}"
                );
                assert_eq!(f.module.len() % 16, 0, "{what}: modules are padded to 16");
                let info = metallib::inspect::module_info(f.module);
                assert_eq!(info.triple.as_deref(), Some(target.triple), "{what}");
                assert_eq!(info.source_filename.as_deref(), Some(f.name), "{what}");
            }
            for g in file.public_metadata().iter().chain(file.private_metadata()) {
                assert!(g.tags.is_empty() && g.size == Some(4), "{what}");
            }
            let ext = file
                .header_extension()
                .expect("1.2.7+ has a header extension");
            assert!(ext.group.tags.is_empty(), "{what}");

            // Parsing and laying out again gives the same bytes.
            let library = metallib::Library::from_file(&file).unwrap();
            assert_eq!(library.write().unwrap(), bytes, "{what}");
            // The inspect views work on every file.
            assert!(metallib::inspect::summary(&file).contains("hash OK"));
            assert!(metallib::inspect::dump(&file).contains("ENDT"));
            checked += 1;
        }
    }
    assert!(
        checked >= 55,
        "only {checked} combinations checked; refused: {refused:?}"
    );
    assert!(refused.len() <= 6, "refused: {refused:?}");
}

#[test]
fn extracted_modules_pass_llvm_tools_and_match_the_linked_input() {
    let target = air_target::Target::by_id("macos26").unwrap();
    for path in common::corpus_files() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut module = common::load(&path);
        air_assemble::target::apply_target(&mut module, target, true).unwrap();
        let options = Options::for_target(target);
        let input = Input::Module {
            module: &module,
            path: &name,
        };
        let bytes = assemble_with_encoder(input, &options, common::encode_with_llvm_as)
            .unwrap()
            .bytes;
        let file = MetallibFile::parse(&bytes).unwrap();
        let entries = link_entries(&module).unwrap();
        for (f, entry) in file.functions().iter().zip(&entries) {
            let what = format!("{name}: {}", f.name);
            airlink_test_support::llvm_bcanalyzer_dump(f.module)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            let ours = common::dis(f.module);
            // The oracle: the link-step-edited input, printed to a file and
            // assembled by llvm-as-14 from that file.
            let dir = std::env::temp_dir().join(format!("metallib-rt-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let ll = dir.join(format!("{}.ll", f.name));
            std::fs::write(&ll, air_ir::print(&entry.module)).unwrap();
            let oracle =
                airlink_test_support::llvm_as(&ll).unwrap_or_else(|e| panic!("{what}: {e}"));
            let _ = std::fs::remove_dir_all(&dir);
            assert_eq!(ours, common::dis(&oracle), "{what}");
            assert!(ours.contains(&format!("source_filename = \"{}\"", f.name)));
        }
    }
}

#[test]
fn link_step_shapes_each_entry_module_like_apples_tool() {
    for path in common::corpus_files() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let module = common::load(&path);
        let entries = link_entries(&module).unwrap_or_else(|e| panic!("{name}: {e}"));
        for e in &entries {
            let what = format!("{name}: {}", e.name);
            let m = &e.module;
            air_ir::verify(m).unwrap_or_else(|err| panic!("{what}: {err}"));
            assert_eq!(
                m.source_filename.as_deref(),
                Some(e.name.as_str()),
                "{what}"
            );
            assert_eq!(m.functions[0].name, e.name, "{what}: the entry comes first");
            assert!(m.named("air.source_file_name").is_none(), "{what}");
            // Only this entry in its own list, no other entry lists.
            let own = m.named(e.kind.list_name()).expect("own entry list");
            assert_eq!(own.operands.len(), 1, "{what}");
            for kind in EntryKind::ALL.into_iter().filter(|k| *k != e.kind) {
                assert!(m.named(kind.list_name()).is_none(), "{what}");
            }
            // Named metadata in Apple's order.
            let order = [
                "llvm.module.flags",
                "llvm.ident",
                "air.version",
                "air.language_version",
                "air.compile_options",
                e.kind.list_name(),
                "air.function_constants",
                "air.visible_function_references",
            ];
            let names: Vec<&str> = m.named_metadata.iter().map(|n| n.name.as_str()).collect();
            let ranks: Vec<usize> = names
                .iter()
                .filter_map(|n| order.iter().position(|o| o == n))
                .collect();
            assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{what}: {names:?}");
            // Every function other than the entry is used by the module's code.
            let text = air_ir::print(m);
            for f in &m.functions[1..] {
                let uses = text.matches(&format!("@{}(", f.name)).count()
                    + text.matches(&format!("@{} ", f.name)).count()
                    + text.matches(&format!("@{},", f.name)).count();
                assert!(uses >= 2, "{what}: @{} looks unused", f.name);
            }
            // Every function pointer in metadata points at a kept function.
            for md in &m.metadata {
                if let Metadata::Value {
                    value: air_ir::Value::Const(c),
                    ..
                } = md
                {
                    assert!(m.consts.try_get(*c).is_some(), "{what}");
                }
            }
        }
    }
}

#[test]
fn multi_entry_modules_split_into_one_module_per_entry() {
    let path = common::repo_root().join("tests/corpus/visible_function.ll");
    let module = common::load(&path);
    let entries = link_entries(&module).unwrap();
    let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["transform_value", "compute_tile", "process_tile"]);
    for e in &entries {
        assert_eq!(e.kind, EntryKind::Visible);
        assert_eq!(e.module.functions.len(), 1, "{}", e.name);
    }
}

#[test]
fn mismatching_triples_need_retarget() {
    let path = common::repo_root().join("tests/corpus/system_values.ll");
    let module = common::load(&path);
    let macos26 = air_target::Target::by_id("macos26").unwrap();
    let options = Options::for_target(macos26);
    let input = Input::Module {
        module: &module,
        path: "system_values.ll",
    };
    let err = assemble_with_encoder(input, &options, common::encode_with_llvm_as).unwrap_err();
    assert!(err.to_string().contains("--retarget"), "{err}");
    let mut retargeted = module.clone();
    air_assemble::target::retarget(&mut retargeted, macos26);
    let text = air_ir::print(&retargeted);
    assert!(text.contains("target triple = \"air64_v28-apple-macosx26.0.0\""));
    assert!(text.contains("!{i32 2, i32 8, i32 0}"), "{text}");
    assert!(
        text.contains("!{!\"Metal\", i32 4, i32 0, i32 0}"),
        "{text}"
    );
}

/// The per-entry work runs on several threads; neither the bytes nor the
/// error reported may depend on how many.
#[test]
fn thread_count_changes_nothing() {
    let path = common::repo_root().join("tests/corpus/visible_function.ll");
    let module = common::load(&path);
    let macos26 = air_target::Target::by_id("macos26").unwrap();
    let run = |threads: usize, fail: &[&str]| {
        let options = Options {
            target: TargetChoice::Target(macos26),
            retarget: true,
            threads,
            ..Options::default()
        };
        let input = Input::Module {
            module: &module,
            path: "visible_function.ll",
        };
        assemble_with_encoder(input, &options, |m| {
            let entry = m.source_filename.as_deref().unwrap_or_default();
            if fail.contains(&entry) {
                return Err(format!("refused {entry}"));
            }
            common::encode_with_llvm_as(m)
        })
        .map(|library| library.bytes)
    };
    let one = run(1, &[]).unwrap();
    for threads in [2, 3, 8] {
        assert_eq!(run(threads, &[]).unwrap(), one, "{threads} threads");
        // Two entries fail; the first in entry order is the one reported.
        let err = run(threads, &["process_tile", "compute_tile"]).unwrap_err();
        assert!(err.to_string().contains("@compute_tile"), "{err}");
    }
}
