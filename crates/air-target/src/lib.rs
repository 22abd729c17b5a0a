//! The one table of Metal targets airlink knows, and the AIR facts every
//! crate shares.
//!
//! A target fixes the module triple as Xcode 26 writes it, the AIR version
//! (`!air.version`, the triple's `_vNN`), the Metal Shading Language version
//! (`!air.language_version`), and the `.metallib` container bytes (format
//! version, platform byte, OS version). Facts come from Apple-built
//! metallibs measured byte by byte (macOS) and from third-party writers
//! (iOS); the iOS rows have never been checked against a device, which
//! [`Target::verified`] says.
//!
//! The facts that are the same for every target live here too, each
//! defined once for the generator, the executor and the Metal runtime:
//!
//! * [`AIR_DATALAYOUT`] and the [`MODULE_FLAGS`] every AIR module carries,
//!   with the per-target `SDK Version` flag ([`Target::sdk_version`]);
//! * [`gpu`]: the simdgroup width and the threadgroup limits
//!   ([`SIMD_WIDTH`], [`MAX_THREADS_PER_THREADGROUP`],
//!   [`MAX_THREADGROUP_MEMORY_BYTES`], [`BUFFER_SLOTS`]);
//! * [`system_value`]: the system-value table ([`SystemValue`]): attribute
//!   names, allowed IR types and what each thread receives.
//!
//! ```
//! let t = air_target::Target::by_id("macos26").unwrap();
//! assert_eq!(t.triple, "air64_v28-apple-macosx26.0.0");
//! assert_eq!(t.air_version, (2, 8, 0));
//! assert!(t.matches_triple("air64_v28-apple-macosx26.0.0"));
//! assert!(!t.matches_triple("air64_v27-apple-macosx15.0.0"));
//! ```

#![deny(missing_docs)]

pub mod gpu;
pub mod system_value;

pub use gpu::{
    BUFFER_SLOTS, MAX_THREADGROUP_MEMORY_BYTES, MAX_THREADS_PER_THREADGROUP, QUADGROUP_WIDTH,
    SIMD_WIDTH,
};
pub use system_value::{SystemValue, SystemValueScalar, ThreadPlace};

/// AIR's datalayout (`target datalayout = "..."`), the same for every AIR
/// version and target.
///
/// Every module of the hand-written corpus carries it
/// (`tests/corpus/README.md`), the shell generator and the random module
/// generator write it, and the opt-in test
/// `crates/air-bitcode/tests/apple_target_facts.rs` checks that every
/// module of the Apple-built fixtures has exactly this string.
pub const AIR_DATALAYOUT: &str = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32";

/// One `!llvm.module.flags` entry: `!{i32 behaviour, !"name", i32 value}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ModuleFlag {
    /// LLVM's merge behaviour (1 = error on mismatch, 7 = max).
    pub behaviour: u32,
    /// The flag's name.
    pub name: &'static str,
    /// Its value.
    pub value: u32,
}

/// The seven module flags of an AIR module, in the order the Metal compiler
/// writes them (see `!llvm.module.flags` in `tests/corpus/simple_1d.ll`).
/// `air.max_device_buffers` is [`BUFFER_SLOTS`].
pub const MODULE_FLAGS: [ModuleFlag; 7] = [
    ModuleFlag {
        behaviour: 1,
        name: "wchar_size",
        value: 4,
    },
    ModuleFlag {
        behaviour: 7,
        name: "air.max_device_buffers",
        value: BUFFER_SLOTS,
    },
    ModuleFlag {
        behaviour: 7,
        name: "air.max_constant_buffers",
        value: 31,
    },
    ModuleFlag {
        behaviour: 7,
        name: "air.max_threadgroup_buffers",
        value: 31,
    },
    ModuleFlag {
        behaviour: 7,
        name: "air.max_textures",
        value: 128,
    },
    ModuleFlag {
        behaviour: 7,
        name: "air.max_read_write_textures",
        value: 8,
    },
    ModuleFlag {
        behaviour: 7,
        name: "air.max_samplers",
        value: 16,
    },
];

/// The name of the module flag Apple's compiler writes first in every
/// module, `!{i32 2, !"SDK Version", [2 x i32] [i32 MAJOR, i32 MINOR]}`
/// (behaviour 2 = Warning on a mismatch when modules are linked); the
/// version per target is [`Target::sdk_version`]
/// (docs/air-conventions.md#module-flags).
pub const SDK_VERSION_FLAG: &str = "SDK Version";

/// The merge behaviour of [`SDK_VERSION_FLAG`] (2 = Warning).
pub const SDK_VERSION_BEHAVIOUR: u32 = 2;

/// The operating-system family of a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Platform {
    /// macOS (Mach-O platform 1).
    MacOs,
    /// iOS (Mach-O platform 2).
    Ios,
}

impl Platform {
    /// The OS name in a triple (`macosx`, `ios`).
    pub fn triple_os(self) -> &'static str {
        match self {
            Platform::MacOs => "macosx",
            Platform::Ios => "ios",
        }
    }
}

/// One target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Target {
    /// The id users write (`macos26`).
    pub id: &'static str,
    /// OS family.
    pub platform: Platform,
    /// OS version (major, minor, patch).
    pub os_version: (u16, u8, u8),
    /// The module triple.
    pub triple: &'static str,
    /// `!air.version`.
    pub air_version: (u32, u32, u32),
    /// `!air.language_version` (MSL).
    pub msl_version: (u32, u32, u32),
    /// The `(major, minor)` of the `SDK Version` module flag
    /// ([`SDK_VERSION_FLAG`]) a module for this target carries: the first
    /// SDK of the target's OS release, so the flag never names an SDK
    /// newer than the oldest OS the target runs on. Apple's compiler
    /// writes the version of the SDK it was run with instead (measured:
    /// 14.4, 15.0 and 26.5 in the Metal.jl test libraries); why this
    /// choice, in docs/air-conventions.md#module-flags.
    pub sdk_version: (u32, u32),
    /// The `.metallib` container version (major, minor, patch).
    pub container_version: (u16, u16, u16),
    /// Header bytes 0x04–0x05: container major, with bit 15 set for macOS.
    pub container_major_word: u16,
    /// Header byte 0x0B: Mach-O platform in bits 0–6, bit 7 = 64-bit.
    pub platform_byte: u8,
    /// Whether the container bytes were measured on Apple-built files for
    /// this platform (false: taken from third-party writers, unverified).
    pub verified: bool,
}

/// Every target, oldest first per platform.
pub const TARGETS: &[Target] = &[
    Target {
        id: "macos14",
        platform: Platform::MacOs,
        os_version: (14, 0, 0),
        triple: "air64_v26-apple-macosx14.0.0",
        air_version: (2, 6, 0),
        msl_version: (3, 1, 0),
        sdk_version: (14, 0),
        container_version: (1, 2, 7),
        container_major_word: 0x8001,
        platform_byte: 0x81,
        verified: true,
    },
    Target {
        id: "macos15",
        platform: Platform::MacOs,
        os_version: (15, 0, 0),
        triple: "air64_v27-apple-macosx15.0.0",
        air_version: (2, 7, 0),
        msl_version: (3, 2, 0),
        sdk_version: (15, 0),
        container_version: (1, 2, 8),
        container_major_word: 0x8001,
        platform_byte: 0x81,
        verified: true,
    },
    Target {
        id: "macos26",
        platform: Platform::MacOs,
        os_version: (26, 0, 0),
        triple: "air64_v28-apple-macosx26.0.0",
        air_version: (2, 8, 0),
        msl_version: (4, 0, 0),
        sdk_version: (26, 0),
        container_version: (1, 2, 9),
        container_major_word: 0x8001,
        platform_byte: 0x81,
        verified: true,
    },
    // iOS: container word 0x0001 and platform 0x82 follow the public
    // readers; one third-party writer reports devices wanting the macOS
    // bytes instead. Unverified until someone runs `airlink doctor` on iOS.
    Target {
        id: "ios17",
        platform: Platform::Ios,
        os_version: (17, 0, 0),
        triple: "air64_v26-apple-ios17.0.0",
        air_version: (2, 6, 0),
        msl_version: (3, 1, 0),
        sdk_version: (17, 0),
        container_version: (1, 2, 7),
        container_major_word: 0x0001,
        platform_byte: 0x82,
        verified: false,
    },
    Target {
        id: "ios18",
        platform: Platform::Ios,
        os_version: (18, 0, 0),
        triple: "air64_v27-apple-ios18.0.0",
        air_version: (2, 7, 0),
        msl_version: (3, 2, 0),
        sdk_version: (18, 0),
        container_version: (1, 2, 8),
        container_major_word: 0x0001,
        platform_byte: 0x82,
        verified: false,
    },
    Target {
        id: "ios26",
        platform: Platform::Ios,
        os_version: (26, 0, 0),
        triple: "air64_v28-apple-ios26.0.0",
        air_version: (2, 8, 0),
        msl_version: (4, 0, 0),
        sdk_version: (26, 0),
        container_version: (1, 2, 9),
        container_major_word: 0x0001,
        platform_byte: 0x82,
        verified: false,
    },
];

/// The default target.
pub const DEFAULT_TARGET: &str = "macos26";

/// The parts of an AIR triple that decide which target it belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TripleParts {
    /// `_vNN` as (major, minor), when present.
    pub air_version: Option<(u32, u32)>,
    /// OS family.
    pub platform: Platform,
    /// OS major version.
    pub os_major: u32,
}

/// Splits `air64[_vNN]-apple-<os><version>`; `None` if it is not an AIR triple.
pub fn parse_triple(triple: &str) -> Option<TripleParts> {
    let mut parts = triple.split('-');
    let arch = parts.next()?;
    let vendor = parts.next()?;
    let os = parts.next()?;
    if vendor != "apple" {
        return None;
    }
    let air_version = match arch.strip_prefix("air64") {
        Some("") => None,
        Some(rest) => {
            let digits = rest.strip_prefix("_v")?;
            if digits.len() < 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let major = digits[..1].parse().ok()?;
            let minor = digits[1..].parse().ok()?;
            Some((major, minor))
        }
        None => return None,
    };
    let (platform, version) = if let Some(v) = os.strip_prefix("macosx") {
        (Platform::MacOs, v)
    } else if let Some(v) = os.strip_prefix("ios") {
        (Platform::Ios, v)
    } else {
        return None;
    };
    let os_major = version.split('.').next()?.parse().ok()?;
    Some(TripleParts {
        air_version,
        platform,
        os_major,
    })
}

impl Target {
    /// Looks a target up by id.
    pub fn by_id(id: &str) -> Option<&'static Target> {
        TARGETS.iter().find(|t| t.id == id)
    }

    /// The comma-separated list of ids, for messages.
    pub fn ids() -> String {
        TARGETS.iter().map(|t| t.id).collect::<Vec<_>>().join(", ")
    }

    /// Whether `triple` belongs to this target: same OS family and major
    /// version, and the same AIR version when the triple names one.
    pub fn matches_triple(&self, triple: &str) -> bool {
        let Some(p) = parse_triple(triple) else {
            return false;
        };
        p.platform == self.platform
            && p.os_major == u32::from(self.os_version.0)
            && p.air_version
                .is_none_or(|v| v == (self.air_version.0, self.air_version.1))
    }

    /// The first 16 header bytes of a `.metallib` for this target.
    pub fn header_prefix(&self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[0..4].copy_from_slice(b"MTLB");
        b[4..6].copy_from_slice(&self.container_major_word.to_le_bytes());
        b[6..8].copy_from_slice(&self.container_version.1.to_le_bytes());
        b[8..10].copy_from_slice(&self.container_version.2.to_le_bytes());
        b[10] = 0; // executable
        b[11] = self.platform_byte;
        b[12..14].copy_from_slice(&self.os_version.0.to_le_bytes());
        b[14] = self.os_version.1;
        b[15] = self.os_version.2;
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macos26_header_matches_the_measured_bytes() {
        // The first 16 bytes of Apple-built macOS 26 metallibs, as measured
        // (docs/metallib-container.md#header).
        let expected = [
            0x4D, 0x54, 0x4C, 0x42, 0x01, 0x80, 0x02, 0x00, 0x09, 0x00, 0x00, 0x81, 0x1A, 0x00,
            0x00, 0x00,
        ];
        assert_eq!(Target::by_id("macos26").unwrap().header_prefix(), expected);
    }

    #[test]
    fn every_corpus_module_has_the_air_datalayout() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/corpus");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "ll") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let layout = text
                .lines()
                .find_map(|l| l.strip_prefix("target datalayout = \""))
                .and_then(|l| l.strip_suffix('"'));
            assert_eq!(layout, Some(AIR_DATALAYOUT), "{}", path.display());
            checked += 1;
        }
        assert!(checked >= 10, "only {checked} corpus files");
    }

    #[test]
    fn the_module_flags_are_those_of_the_corpus_shell() {
        let text = include_str!("../../../tests/corpus/simple_1d.ll");
        let lines: Vec<String> = MODULE_FLAGS
            .iter()
            .map(|f| format!("!{{i32 {}, !\"{}\", i32 {}}}", f.behaviour, f.name, f.value))
            .collect();
        let found: Vec<&str> = text
            .lines()
            .filter_map(|l| l.split_once(" = ").map(|(_, rest)| rest))
            .filter(|rest| lines.iter().any(|want| want == rest))
            .collect();
        assert_eq!(found, lines);
    }

    /// The rule docs/air-conventions.md#module-flags gives: the first SDK
    /// of the target's OS release. (That Apple's own modules carry the OS
    /// major of their triple is checked on Apple-built files by
    /// air-assemble's opt-in `apple_metadata` test.)
    #[test]
    fn sdk_versions_are_the_first_sdk_of_each_os_release() {
        for t in TARGETS {
            assert_eq!(t.sdk_version, (u32::from(t.os_version.0), 0), "{}", t.id);
        }
        assert_eq!(Target::by_id("macos26").unwrap().sdk_version, (26, 0));
    }

    #[test]
    fn triples_match_their_targets_only() {
        for t in TARGETS {
            assert!(t.matches_triple(t.triple), "{}", t.id);
            for other in TARGETS.iter().filter(|o| o.id != t.id) {
                assert!(!t.matches_triple(other.triple), "{} vs {}", t.id, other.id);
            }
            let (maj, min, _) = t.air_version;
            assert!(t.triple.starts_with(&format!("air64_v{maj}{min}-")));
        }
        assert!(Target::by_id("macos15")
            .unwrap()
            .matches_triple("air64-apple-macosx15.6.0"));
        assert!(parse_triple("x86_64-apple-macosx14.0.0").is_none());
        assert!(parse_triple("air64_vx-apple-macosx14").is_none());
    }
}
