//! The one table of system values: the kernel parameters Metal fills in for
//! each thread (`[[thread_position_in_grid]]` and the rest).
//!
//! In AIR a system value is a kernel parameter whose `!air.kernel` argument
//! node names the attribute (`!"air.thread_position_in_grid"`) and its MSL
//! type (`!"air.arg_type_name", !"uint"`). For each value this table gives
//! the attribute name, which IR types it may have, and what a thread
//! receives ([`SystemValue::value`]); the shell generator (`air-shell`)
//! writes the metadata from it and the executor (`air-exec`) binds the
//! parameters with it.
//!
//! Where the facts come from: `tests/corpus/system_values.ll` uses every
//! value in every allowed form and passes `llvm-as-14`; the test of this
//! module reads its metadata back against the table, and the opt-in test
//! `crates/air-bitcode/tests/apple_target_facts.rs` checks every system
//! value of Apple-built modules against it.
//!
//! ```
//! use air_target::{SystemValue, ThreadPlace};
//!
//! let v = SystemValue::from_name("thread_position_in_grid").unwrap();
//! assert_eq!(v.metadata_name(), "air.thread_position_in_grid");
//! assert_eq!(v.msl_attribute(), "[[thread_position_in_grid]]");
//! assert!(v.allows_ir_type(3, 32) && !SystemValue::ThreadIndexInSimdgroup.allows_ir_type(3, 32));
//!
//! // Thread 37 of a 1D dispatch of 128 threads in threadgroups of 32.
//! let at = ThreadPlace {
//!     grid: [128, 1, 1],
//!     threadgroup: [32, 1, 1],
//!     threadgroup_size: [32, 1, 1],
//!     threadgroup_position: [1, 0, 0],
//!     position_in_threadgroup: [5, 0, 0],
//! };
//! assert_eq!(v.value(&at), [37, 0, 0]);
//! assert_eq!(SystemValue::ThreadIndexInSimdgroup.value(&at), [5, 0, 0]);
//! ```

use crate::gpu::{QUADGROUP_WIDTH, SIMD_WIDTH};

/// A system value attribute. The variants' names are Metal's attribute
/// names in CamelCase; each one's doc says what a thread receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SystemValue {
    /// The thread's position in the grid: threadgroup position times the
    /// dispatched threadgroup size, plus the position in the threadgroup.
    ThreadPositionInGrid,
    /// The thread's position in its threadgroup.
    ThreadPositionInThreadgroup,
    /// The threadgroup's position in the grid (in threadgroups).
    ThreadgroupPositionInGrid,
    /// Threadgroups per grid dimension: grid size over the dispatched
    /// threadgroup size, rounded up.
    ThreadgroupsPerGrid,
    /// The grid size in threads.
    ThreadsPerGrid,
    /// This threadgroup's size (smaller than the dispatched size in a
    /// partial threadgroup at the far edge of the grid).
    ThreadsPerThreadgroup,
    /// The threadgroup size as dispatched (`threadsPerThreadgroup`), the
    /// same in every threadgroup.
    DispatchThreadsPerThreadgroup,
    /// The grid's origin: 0 for `dispatchThreads`, the only dispatch
    /// airlink models.
    GridOrigin,
    /// The grid size in threads (as `threads_per_grid`).
    GridSize,
    /// The thread's linear index in its threadgroup (x fastest).
    ThreadIndexInThreadgroup,
    /// The thread's lane in its simdgroup: the linear index modulo
    /// [`SIMD_WIDTH`].
    ThreadIndexInSimdgroup,
    /// The thread's simdgroup in its threadgroup: the linear index over
    /// [`SIMD_WIDTH`].
    SimdgroupIndexInThreadgroup,
    /// Simdgroups in this threadgroup, rounded up.
    SimdgroupsPerThreadgroup,
    /// [`SIMD_WIDTH`].
    ThreadsPerSimdgroup,
    /// [`SIMD_WIDTH`] (the execution width of every pipeline).
    ThreadExecutionWidth,
    /// Simdgroups in a full (dispatched-size) threadgroup, rounded up.
    DispatchSimdgroupsPerThreadgroup,
    /// The thread's quadgroup in its threadgroup: the linear index over
    /// [`QUADGROUP_WIDTH`].
    QuadgroupIndexInThreadgroup,
    /// Quadgroups in this threadgroup, rounded up.
    QuadgroupsPerThreadgroup,
    /// The thread's lane in its quadgroup.
    ThreadIndexInQuadgroup,
    /// Quadgroups in a full (dispatched-size) threadgroup, rounded up.
    DispatchQuadgroupsPerThreadgroup,
}

/// One row of the table: the value, its `!air.kernel` attribute string and
/// whether it has x/y/z components.
struct Row {
    value: SystemValue,
    metadata: &'static str,
    xyz: bool,
}

const fn row(value: SystemValue, metadata: &'static str, xyz: bool) -> Row {
    Row {
        value,
        metadata,
        xyz,
    }
}

/// Every system value, in the order of [`SystemValue::ALL`].
///
/// The values with x/y/z components may be `uint`, `uint2`, `uint3`,
/// `ushort`, `ushort2` or `ushort3` (IR `i32`, `<2 x i32>`, `<3 x i32>`,
/// `i16`, ...); the others are one index, `uint` or `ushort` only.
const TABLE: [Row; 20] = {
    use SystemValue as S;
    [
        row(S::ThreadPositionInGrid, "air.thread_position_in_grid", true),
        row(
            S::ThreadPositionInThreadgroup,
            "air.thread_position_in_threadgroup",
            true,
        ),
        row(
            S::ThreadgroupPositionInGrid,
            "air.threadgroup_position_in_grid",
            true,
        ),
        row(S::ThreadgroupsPerGrid, "air.threadgroups_per_grid", true),
        row(S::ThreadsPerGrid, "air.threads_per_grid", true),
        row(
            S::ThreadsPerThreadgroup,
            "air.threads_per_threadgroup",
            true,
        ),
        row(
            S::DispatchThreadsPerThreadgroup,
            "air.dispatch_threads_per_threadgroup",
            true,
        ),
        row(S::GridOrigin, "air.grid_origin", true),
        row(S::GridSize, "air.grid_size", true),
        row(
            S::ThreadIndexInThreadgroup,
            "air.thread_index_in_threadgroup",
            false,
        ),
        row(
            S::ThreadIndexInSimdgroup,
            "air.thread_index_in_simdgroup",
            false,
        ),
        row(
            S::SimdgroupIndexInThreadgroup,
            "air.simdgroup_index_in_threadgroup",
            false,
        ),
        row(
            S::SimdgroupsPerThreadgroup,
            "air.simdgroups_per_threadgroup",
            false,
        ),
        row(S::ThreadsPerSimdgroup, "air.threads_per_simdgroup", false),
        row(S::ThreadExecutionWidth, "air.thread_execution_width", false),
        row(
            S::DispatchSimdgroupsPerThreadgroup,
            "air.dispatch_simdgroups_per_threadgroup",
            false,
        ),
        row(
            S::QuadgroupIndexInThreadgroup,
            "air.quadgroup_index_in_threadgroup",
            false,
        ),
        row(
            S::QuadgroupsPerThreadgroup,
            "air.quadgroups_per_threadgroup",
            false,
        ),
        row(
            S::ThreadIndexInQuadgroup,
            "air.thread_index_in_quadgroup",
            false,
        ),
        row(
            S::DispatchQuadgroupsPerThreadgroup,
            "air.dispatch_quadgroups_per_threadgroup",
            false,
        ),
    ]
};

/// Where one thread is in a `dispatchThreads` launch: everything a system
/// value is computed from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ThreadPlace {
    /// Threads in the grid, per dimension.
    pub grid: [u32; 3],
    /// Threads per threadgroup as dispatched (`threadsPerThreadgroup`).
    pub threadgroup: [u32; 3],
    /// This threadgroup's size: the dispatched size, cut short at the far
    /// edges of the grid.
    pub threadgroup_size: [u32; 3],
    /// This threadgroup's position in the grid, in threadgroups.
    pub threadgroup_position: [u32; 3],
    /// The thread's position in its threadgroup.
    pub position_in_threadgroup: [u32; 3],
}

impl ThreadPlace {
    /// The thread's linear index in its threadgroup, x fastest.
    pub fn index_in_threadgroup(&self) -> u32 {
        let [x, y, z] = self.position_in_threadgroup;
        let [sx, sy, _] = self.threadgroup_size;
        x.wrapping_add(sx.wrapping_mul(y.wrapping_add(sy.wrapping_mul(z))))
    }

    /// Threads in this threadgroup.
    pub fn threads_in_threadgroup(&self) -> u32 {
        let [sx, sy, sz] = self.threadgroup_size;
        sx.wrapping_mul(sy).wrapping_mul(sz)
    }

    /// Threads in a full threadgroup of the dispatched size.
    pub fn threads_in_dispatched_threadgroup(&self) -> u32 {
        let [sx, sy, sz] = self.threadgroup;
        sx.wrapping_mul(sy).wrapping_mul(sz)
    }
}

impl SystemValue {
    /// Every system value, grid geometry first, then the indices.
    pub const ALL: [SystemValue; 20] = {
        let mut all = [SystemValue::GridOrigin; 20];
        let mut i = 0;
        while i < TABLE.len() {
            all[i] = TABLE[i].value;
            i += 1;
        }
        all
    };

    fn row(self) -> &'static Row {
        // The table has one row per variant, in declaration order.
        &TABLE[self as usize]
    }

    /// The attribute name without `air.` (`thread_position_in_grid`), as
    /// shell specs write it.
    pub fn name(self) -> &'static str {
        let m = self.row().metadata;
        m.strip_prefix("air.").unwrap_or(m)
    }

    /// The attribute string of the `!air.kernel` argument node
    /// (`air.thread_position_in_grid`).
    pub fn metadata_name(self) -> &'static str {
        self.row().metadata
    }

    /// The MSL parameter attribute (`[[thread_position_in_grid]]`).
    pub fn msl_attribute(self) -> String {
        format!("[[{}]]", self.name())
    }

    /// Looks a value up by its attribute name without `air.`.
    pub fn from_name(name: &str) -> Option<SystemValue> {
        TABLE
            .iter()
            .find(|r| r.value.name() == name)
            .map(|r| r.value)
    }

    /// Looks a value up by its `!air.kernel` attribute string (with `air.`).
    pub fn from_metadata_name(name: &str) -> Option<SystemValue> {
        TABLE.iter().find(|r| r.metadata == name).map(|r| r.value)
    }

    /// Whether the value has x/y/z components (else it is one index).
    pub fn is_3d(self) -> bool {
        self.row().xyz
    }

    /// Whether a parameter of `lanes` lanes (1 for a scalar) of
    /// `int_bits`-bit integers may carry this value: `i32` or `i16`,
    /// and vectors of 2 or 3 of them only for the x/y/z values.
    pub fn allows_ir_type(self, lanes: u32, int_bits: u32) -> bool {
        SystemValueScalar::from_bits(int_bits).is_some()
            && (lanes == 1 || (self.is_3d() && (lanes == 2 || lanes == 3)))
    }

    /// What a thread at `at` receives, as x/y/z (one-index values in x,
    /// y and z 0). Arithmetic wraps rather than overflows, so absurd
    /// inputs give absurd numbers, never a panic.
    pub fn value(self, at: &ThreadPlace) -> [u32; 3] {
        use SystemValue as S;
        let each = |f: &dyn Fn(usize) -> u32| [f(0), f(1), f(2)];
        let one = |v: u32| [v, 0, 0];
        let linear = at.index_in_threadgroup();
        let n = at.threads_in_threadgroup();
        let dispatch_n = at.threads_in_dispatched_threadgroup();
        match self {
            S::ThreadPositionInGrid => each(&|d| {
                at.threadgroup_position[d]
                    .wrapping_mul(at.threadgroup[d])
                    .wrapping_add(at.position_in_threadgroup[d])
            }),
            S::ThreadPositionInThreadgroup => at.position_in_threadgroup,
            S::ThreadgroupPositionInGrid => at.threadgroup_position,
            S::ThreadgroupsPerGrid => each(&|d| div_ceil(at.grid[d], at.threadgroup[d])),
            S::ThreadsPerGrid | S::GridSize => at.grid,
            S::ThreadsPerThreadgroup => at.threadgroup_size,
            S::DispatchThreadsPerThreadgroup => at.threadgroup,
            S::GridOrigin => [0; 3],
            S::ThreadIndexInThreadgroup => one(linear),
            S::ThreadIndexInSimdgroup => one(linear % SIMD_WIDTH),
            S::SimdgroupIndexInThreadgroup => one(linear / SIMD_WIDTH),
            S::SimdgroupsPerThreadgroup => one(n.div_ceil(SIMD_WIDTH)),
            S::ThreadsPerSimdgroup | S::ThreadExecutionWidth => one(SIMD_WIDTH),
            S::DispatchSimdgroupsPerThreadgroup => one(dispatch_n.div_ceil(SIMD_WIDTH)),
            S::QuadgroupIndexInThreadgroup => one(linear / QUADGROUP_WIDTH),
            S::QuadgroupsPerThreadgroup => one(n.div_ceil(QUADGROUP_WIDTH)),
            S::ThreadIndexInQuadgroup => one(linear % QUADGROUP_WIDTH),
            S::DispatchQuadgroupsPerThreadgroup => one(dispatch_n.div_ceil(QUADGROUP_WIDTH)),
        }
    }
}

/// `a / b` rounded up, 0 for `b == 0` (a launch checks that first).
fn div_ceil(a: u32, b: u32) -> u32 {
    if b == 0 {
        0
    } else {
        a.div_ceil(b)
    }
}

/// The integer type of a system value parameter (of each lane of a
/// vector one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SystemValueScalar {
    /// `uint`, IR `i32`.
    UInt,
    /// `ushort`, IR `i16`.
    UShort,
}

impl SystemValueScalar {
    /// The MSL spelling of a scalar (`uint`), also `air.arg_type_name`.
    pub fn msl_name(self) -> &'static str {
        match self {
            SystemValueScalar::UInt => "uint",
            SystemValueScalar::UShort => "ushort",
        }
    }

    /// Looks a type up by its MSL spelling.
    pub fn from_msl(name: &str) -> Option<SystemValueScalar> {
        match name {
            "uint" => Some(SystemValueScalar::UInt),
            "ushort" => Some(SystemValueScalar::UShort),
            _ => None,
        }
    }

    /// The IR integer width (32 or 16).
    pub fn bits(self) -> u32 {
        match self {
            SystemValueScalar::UInt => 32,
            SystemValueScalar::UShort => 16,
        }
    }

    /// The type of an IR integer width, if system values may have it.
    pub fn from_bits(bits: u32) -> Option<SystemValueScalar> {
        match bits {
            32 => Some(SystemValueScalar::UInt),
            16 => Some(SystemValueScalar::UShort),
            _ => None,
        }
    }

    /// The `air.arg_type_name` of a parameter of `lanes` lanes (`uint`,
    /// `uint2`, `ushort3`).
    pub fn msl_type_name(self, lanes: u32) -> String {
        if lanes == 1 {
            self.msl_name().to_string()
        } else {
            format!("{}{lanes}", self.msl_name())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_one_row_per_variant_in_order() {
        for (i, v) in SystemValue::ALL.iter().enumerate() {
            assert_eq!(*v as usize, i, "{v:?}");
            assert_eq!(SystemValue::from_name(v.name()), Some(*v));
            assert_eq!(SystemValue::from_metadata_name(v.metadata_name()), Some(*v));
            assert!(v.metadata_name().starts_with("air."));
        }
        assert_eq!(SystemValue::from_name("air.grid_size"), None);
        assert_eq!(SystemValue::from_name("thread_position"), None);
    }

    /// Reads every system-value argument node of the hand-written corpus
    /// file that uses them all (in every form) and checks each against the
    /// table: a known attribute, a type name the table allows for it.
    #[test]
    fn the_corpus_system_values_file_agrees_with_the_table() {
        let text = include_str!("../../../tests/corpus/system_values.ll");
        let mut seen = std::collections::HashSet::new();
        for line in text
            .lines()
            .filter(|l| l.contains("!\"air.arg_type_name\""))
        {
            let strings: Vec<&str> = line
                .split("!\"")
                .skip(1)
                .filter_map(|s| s.split('"').next())
                .collect();
            let Some(attr) = strings.first() else {
                continue;
            };
            if *attr == "air.buffer" {
                continue;
            }
            let v = SystemValue::from_metadata_name(attr)
                .unwrap_or_else(|| panic!("unknown system value {attr} in: {line}"));
            let type_name = strings
                .iter()
                .position(|s| *s == "air.arg_type_name")
                .and_then(|i| strings.get(i + 1))
                .unwrap_or_else(|| panic!("no type name in: {line}"));
            let ok = [SystemValueScalar::UInt, SystemValueScalar::UShort]
                .iter()
                .flat_map(|s| (1..=3).map(move |lanes| (s, lanes)))
                .any(|(s, lanes)| {
                    s.msl_type_name(lanes) == *type_name && v.allows_ir_type(lanes, s.bits())
                });
            assert!(ok, "{attr} as {type_name} is not allowed by the table");
            seen.insert(v);
        }
        // The file covers every value of the table.
        assert_eq!(seen.len(), SystemValue::ALL.len(), "{seen:?}");
    }

    #[test]
    fn values_of_a_partial_threadgroup() {
        // A 2D grid of 40x3 threads in threadgroups of 16x2: the last
        // threadgroup in x is 8 wide, the last in y 1 high.
        let at = ThreadPlace {
            grid: [40, 3, 1],
            threadgroup: [16, 2, 1],
            threadgroup_size: [8, 1, 1],
            threadgroup_position: [2, 1, 0],
            position_in_threadgroup: [5, 0, 0],
        };
        use SystemValue as S;
        assert_eq!(S::ThreadPositionInGrid.value(&at), [37, 2, 0]);
        assert_eq!(S::ThreadgroupsPerGrid.value(&at), [3, 2, 1]);
        assert_eq!(S::ThreadsPerThreadgroup.value(&at), [8, 1, 1]);
        assert_eq!(S::DispatchThreadsPerThreadgroup.value(&at), [16, 2, 1]);
        assert_eq!(S::ThreadIndexInThreadgroup.value(&at), [5, 0, 0]);
        assert_eq!(S::SimdgroupsPerThreadgroup.value(&at), [1, 0, 0]);
        assert_eq!(S::DispatchSimdgroupsPerThreadgroup.value(&at), [1, 0, 0]);
        assert_eq!(S::QuadgroupIndexInThreadgroup.value(&at), [1, 0, 0]);
        assert_eq!(S::ThreadIndexInQuadgroup.value(&at), [1, 0, 0]);
        assert_eq!(S::QuadgroupsPerThreadgroup.value(&at), [2, 0, 0]);
        assert_eq!(S::DispatchQuadgroupsPerThreadgroup.value(&at), [8, 0, 0]);
        assert_eq!(S::GridOrigin.value(&at), [0, 0, 0]);
        assert_eq!(S::ThreadExecutionWidth.value(&at), [32, 0, 0]);
    }

    #[test]
    fn absurd_places_do_not_panic() {
        let at = ThreadPlace {
            grid: [u32::MAX; 3],
            threadgroup: [0, u32::MAX, 7],
            threadgroup_size: [u32::MAX; 3],
            threadgroup_position: [u32::MAX; 3],
            position_in_threadgroup: [u32::MAX; 3],
        };
        for v in SystemValue::ALL {
            let _ = v.value(&at);
        }
    }
}
