//! Attributes: one table of every LLVM 14 attribute kind with its text
//! spelling, its shape and its bitcode kind number.
//!
//! The table's order is LLVM 14's `Attribute::AttrKind` order (enum
//! attributes, then type attributes, then integer attributes, each sorted by
//! the TableGen record name). Sets are kept sorted in that order, with string
//! attributes last by key, so a set prints the way `llvm-dis-14` prints it.

use crate::types::TypeId;

/// What a kind carries besides its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AttrShape {
    /// A bare keyword (`nounwind`).
    Enum,
    /// A keyword with a type (`byval(%T)`).
    Type,
    /// A keyword with an integer (`align 4`, `dereferenceable(16)`).
    Int,
}

macro_rules! attr_kinds {
    ($( $variant:ident = $spelling:literal, $shape:ident, $code:literal; )*) => {
        /// An attribute kind of LLVM 14 (string attributes are separate).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum AttrKind {
            $(
                #[doc = concat!("`", $spelling, "`")]
                $variant,
            )*
        }

        impl AttrKind {
            /// Every kind, in LLVM 14's order.
            pub const ALL: &'static [AttrKind] = &[$(AttrKind::$variant),*];

            /// The text spelling.
            pub fn spelling(self) -> &'static str {
                match self { $(AttrKind::$variant => $spelling,)* }
            }

            /// What the attribute carries.
            pub fn shape(self) -> AttrShape {
                match self { $(AttrKind::$variant => AttrShape::$shape,)* }
            }

            /// The `ATTR_KIND_*` number LLVM 14's bitcode uses.
            pub fn bitcode_kind(self) -> u32 {
                match self { $(AttrKind::$variant => $code,)* }
            }

            /// Looks a kind up by its text spelling.
            pub fn from_spelling(s: &str) -> Option<AttrKind> {
                match s { $($spelling => Some(AttrKind::$variant),)* _ => None }
            }

            /// Looks a kind up by its bitcode number.
            pub fn from_bitcode_kind(code: u32) -> Option<AttrKind> {
                match code { $($code => Some(AttrKind::$variant),)* _ => None }
            }
        }
    };
}

attr_kinds! {
    // Enum attributes, sorted by LLVM's record name.
    AlwaysInline = "alwaysinline", Enum, 2;
    ArgMemOnly = "argmemonly", Enum, 45;
    Builtin = "builtin", Enum, 35;
    Cold = "cold", Enum, 36;
    Convergent = "convergent", Enum, 43;
    DisableSanitizerInstrumentation = "disable_sanitizer_instrumentation", Enum, 78;
    Hot = "hot", Enum, 72;
    ImmArg = "immarg", Enum, 60;
    InReg = "inreg", Enum, 5;
    InaccessibleMemOnly = "inaccessiblememonly", Enum, 49;
    InaccessibleMemOrArgMemOnly = "inaccessiblemem_or_argmemonly", Enum, 50;
    InlineHint = "inlinehint", Enum, 4;
    JumpTable = "jumptable", Enum, 40;
    MinSize = "minsize", Enum, 6;
    MustProgress = "mustprogress", Enum, 70;
    Naked = "naked", Enum, 7;
    Nest = "nest", Enum, 8;
    NoAlias = "noalias", Enum, 9;
    NoBuiltin = "nobuiltin", Enum, 10;
    NoCallback = "nocallback", Enum, 71;
    NoCapture = "nocapture", Enum, 11;
    NoCfCheck = "nocf_check", Enum, 56;
    NoDuplicate = "noduplicate", Enum, 12;
    NoFree = "nofree", Enum, 62;
    NoImplicitFloat = "noimplicitfloat", Enum, 13;
    NoInline = "noinline", Enum, 14;
    NoMerge = "nomerge", Enum, 66;
    NoProfile = "noprofile", Enum, 73;
    NoRecurse = "norecurse", Enum, 48;
    NoRedZone = "noredzone", Enum, 16;
    NoReturn = "noreturn", Enum, 17;
    NoSanitizeCoverage = "nosanitize_coverage", Enum, 76;
    NoSync = "nosync", Enum, 63;
    NoUndef = "noundef", Enum, 68;
    NoUnwind = "nounwind", Enum, 18;
    NonLazyBind = "nonlazybind", Enum, 15;
    NonNull = "nonnull", Enum, 39;
    NullPointerIsValid = "null_pointer_is_valid", Enum, 67;
    OptForFuzzing = "optforfuzzing", Enum, 57;
    OptimizeForSize = "optsize", Enum, 19;
    OptimizeNone = "optnone", Enum, 37;
    ReadNone = "readnone", Enum, 20;
    ReadOnly = "readonly", Enum, 21;
    Returned = "returned", Enum, 22;
    ReturnsTwice = "returns_twice", Enum, 23;
    SExt = "signext", Enum, 24;
    SafeStack = "safestack", Enum, 44;
    SanitizeAddress = "sanitize_address", Enum, 30;
    SanitizeHWAddress = "sanitize_hwaddress", Enum, 55;
    SanitizeMemTag = "sanitize_memtag", Enum, 64;
    SanitizeMemory = "sanitize_memory", Enum, 32;
    SanitizeThread = "sanitize_thread", Enum, 31;
    ShadowCallStack = "shadowcallstack", Enum, 58;
    Speculatable = "speculatable", Enum, 53;
    SpeculativeLoadHardening = "speculative_load_hardening", Enum, 59;
    StackProtect = "ssp", Enum, 26;
    StackProtectReq = "sspreq", Enum, 27;
    StackProtectStrong = "sspstrong", Enum, 28;
    StrictFP = "strictfp", Enum, 54;
    SwiftAsync = "swiftasync", Enum, 75;
    SwiftError = "swifterror", Enum, 47;
    SwiftSelf = "swiftself", Enum, 46;
    UWTable = "uwtable", Enum, 33;
    WillReturn = "willreturn", Enum, 61;
    WriteOnly = "writeonly", Enum, 52;
    ZExt = "zeroext", Enum, 34;
    // Type attributes.
    ByRef = "byref", Type, 69;
    ByVal = "byval", Type, 3;
    ElementType = "elementtype", Type, 77;
    InAlloca = "inalloca", Type, 38;
    Preallocated = "preallocated", Type, 65;
    StructRet = "sret", Type, 29;
    // Integer attributes.
    Alignment = "align", Int, 1;
    AllocSize = "allocsize", Int, 51;
    Dereferenceable = "dereferenceable", Int, 41;
    DereferenceableOrNull = "dereferenceable_or_null", Int, 42;
    StackAlignment = "alignstack", Int, 25;
    VScaleRange = "vscale_range", Int, 74;
}

/// One attribute.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Attribute {
    /// A keyword attribute.
    Enum(AttrKind),
    /// An attribute with an integer. `allocsize(a, b)` and
    /// `vscale_range(a, b)` pack their two numbers as LLVM does:
    /// `a << 32 | b` (with `b = 0xFFFF_FFFF` meaning "absent" for allocsize).
    Int(AttrKind, u64),
    /// An attribute with a type (`byval(T)`); `None` is the untyped form.
    Type(AttrKind, Option<TypeId>),
    /// `"key"` or `"key"="value"`; an empty value prints as `"key"`.
    String {
        /// The key.
        key: String,
        /// The value; empty for a bare key.
        value: String,
    },
}

impl Attribute {
    /// The kind, for non-string attributes.
    pub fn kind(&self) -> Option<AttrKind> {
        match self {
            Attribute::Enum(k) | Attribute::Int(k, _) | Attribute::Type(k, _) => Some(*k),
            Attribute::String { .. } => None,
        }
    }

    /// A string attribute.
    pub fn string(key: &str, value: &str) -> Self {
        Attribute::String {
            key: key.to_string(),
            value: value.to_string(),
        }
    }

    fn sort_key(&self) -> (u8, Option<AttrKind>, Option<&str>) {
        match self {
            Attribute::String { key, .. } => (1, None, Some(key)),
            other => (0, other.kind(), None),
        }
    }
}

/// A set of attributes on one position (function, return value or one
/// parameter). Kept sorted and free of duplicate kinds/keys.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct AttrSet(Vec<Attribute>);

impl AttrSet {
    /// The empty set.
    pub fn new() -> Self {
        AttrSet(Vec::new())
    }

    /// A set from a list; later duplicates replace earlier ones.
    ///
    /// Sorted once, not inserted one by one: each insertion into the
    /// sorted list moves the attributes after it, so a list given in
    /// descending order cost n^2/2 moves.
    pub fn from_attrs(attrs: impl IntoIterator<Item = Attribute>) -> Self {
        let mut v: Vec<Attribute> = attrs.into_iter().collect();
        // Stable, so equal keys stay in list order; of each run of equal
        // keys the last is kept (moved into the run's first slot, which
        // `dedup_by` keeps).
        v.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        v.dedup_by(|later, kept| {
            if later.sort_key() == kept.sort_key() {
                std::mem::swap(later, kept);
                true
            } else {
                false
            }
        });
        AttrSet(v)
    }

    /// Adds an attribute, replacing one of the same kind or key.
    pub fn insert(&mut self, attr: Attribute) {
        let key = attr.sort_key();
        match self.0.binary_search_by(|probe| probe.sort_key().cmp(&key)) {
            Ok(i) => self.0[i] = attr,
            Err(i) => self.0.insert(i, attr),
        }
    }

    /// Adds every attribute of `other` (which wins where both have a kind
    /// or key), in time linear in both: the two lists are sorted, so they
    /// are merged, not inserted one by one.
    pub fn merge(&mut self, other: &AttrSet) {
        if other.0.is_empty() {
            return;
        }
        if self.0.is_empty() {
            self.0 = other.0.clone();
            return;
        }
        let mine = std::mem::take(&mut self.0);
        let mut out = Vec::with_capacity(mine.len() + other.0.len());
        let mut theirs = other.0.iter().peekable();
        for a in mine {
            while let Some(b) = theirs.next_if(|b| b.sort_key() < a.sort_key()) {
                out.push(b.clone());
            }
            match theirs.next_if(|b| b.sort_key() == a.sort_key()) {
                Some(b) => out.push(b.clone()),
                None => out.push(a),
            }
        }
        out.extend(theirs.cloned());
        self.0 = out;
    }

    /// Calls `f` on the type of every typed attribute (`byval(T)`, ...).
    pub fn for_each_type_mut(&mut self, f: &mut dyn FnMut(&mut TypeId)) {
        for a in &mut self.0 {
            if let Attribute::Type(_, Some(ty)) = a {
                f(ty);
            }
        }
    }

    /// Whether the set holds `kind`.
    pub fn has(&self, kind: AttrKind) -> bool {
        self.0.iter().any(|a| a.kind() == Some(kind))
    }

    /// The attribute of `kind`, if present.
    pub fn get(&self, kind: AttrKind) -> Option<&Attribute> {
        self.0.iter().find(|a| a.kind() == Some(kind))
    }

    /// The value of string attribute `key`, if present.
    pub fn get_string(&self, key: &str) -> Option<&str> {
        self.0.iter().find_map(|a| match a {
            Attribute::String { key: k, value } if k == key => Some(value.as_str()),
            _ => None,
        })
    }

    /// Attributes in canonical order.
    pub fn iter(&self) -> std::slice::Iter<'_, Attribute> {
        self.0.iter()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of attributes.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl<'a> IntoIterator for &'a AttrSet {
    type Item = &'a Attribute;
    type IntoIter = std::slice::Iter<'a, Attribute>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_and_codes_are_unique() {
        let mut spellings = std::collections::HashSet::new();
        let mut codes = std::collections::HashSet::new();
        for k in AttrKind::ALL {
            assert!(spellings.insert(k.spelling()), "duplicate {}", k.spelling());
            assert!(codes.insert(k.bitcode_kind()), "duplicate code {k:?}");
            assert_eq!(AttrKind::from_spelling(k.spelling()), Some(*k));
            assert_eq!(AttrKind::from_bitcode_kind(k.bitcode_kind()), Some(*k));
        }
    }

    /// `from_attrs` and `merge` keep what inserting one attribute at a time
    /// gives: sorted, later kinds and keys replacing earlier ones.
    #[test]
    fn building_and_merging_match_one_insert_at_a_time() {
        let pool = |i: usize| match i % 5 {
            0 => Attribute::Enum(AttrKind::ALL[i % AttrKind::ALL.len()]),
            1 => Attribute::Int(AttrKind::Alignment, i as u64),
            2 => Attribute::string(&format!("k{}", i % 7), &format!("v{i}")),
            3 => Attribute::string(&format!("k{}", i % 3), ""),
            _ => Attribute::Enum(AttrKind::ALL[(i * 7) % AttrKind::ALL.len()]),
        };
        let one_by_one = |list: &[Attribute]| {
            let mut set = AttrSet::new();
            for a in list {
                set.insert(a.clone());
            }
            set
        };
        for n in 0..40 {
            let a: Vec<Attribute> = (0..n).map(|i| pool(i * 3 + n)).collect();
            let b: Vec<Attribute> = (0..n / 2).map(|i| pool(i * 5 + 1)).collect();
            assert_eq!(AttrSet::from_attrs(a.clone()), one_by_one(&a), "{n}");
            let mut merged = AttrSet::from_attrs(a.clone());
            merged.merge(&AttrSet::from_attrs(b.clone()));
            let both: Vec<Attribute> = a.iter().chain(&b).cloned().collect();
            assert_eq!(merged, one_by_one(&both), "{n}");
        }
    }

    #[test]
    fn sets_sort_like_llvm() {
        let set = AttrSet::from_attrs([
            Attribute::string("no-builtins", ""),
            Attribute::Enum(AttrKind::WillReturn),
            Attribute::Int(AttrKind::Alignment, 4),
            Attribute::Enum(AttrKind::Convergent),
            Attribute::string("frame-pointer", "none"),
            Attribute::Enum(AttrKind::NoUnwind),
            Attribute::Enum(AttrKind::MustProgress),
        ]);
        let order: Vec<String> = set
            .iter()
            .map(|a| match a {
                Attribute::String { key, .. } => key.clone(),
                other => other.kind().unwrap().spelling().to_string(),
            })
            .collect();
        assert_eq!(
            order,
            [
                "convergent",
                "mustprogress",
                "nounwind",
                "willreturn",
                "align",
                "frame-pointer",
                "no-builtins"
            ]
        );
    }
}
