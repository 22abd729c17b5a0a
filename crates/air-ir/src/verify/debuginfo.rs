//! Debug info, checked as LLVM 14's verifier checks it (`Verifier.cpp`'s
//! `visitDI*`, the `!dbg` rules of `visitFunction` and `visitInstruction`,
//! `visitDbgIntrinsic` and `verifyCompileUnits`): what each node kind may
//! refer to, which nodes must be `distinct`, that subprogram definitions
//! have a compile unit, that every location of a function leads back to its
//! subprogram, the operands of the `llvm.dbg.*` calls, and that calls
//! between functions with debug info carry a location. LLVM reports these
//! as "broken debug info" (and `llvm-as-14` then strips it); here they are
//! errors of kind [`VerifyErrorKind::BadDebugInfo`](super::VerifyErrorKind).
//! Like LLVM, only nodes the module reaches are checked (a numbered node
//! nothing refers to is not part of LLVM's module).
//!
//! Not checked: the size of `DW_OP_LLVM_fragment` pieces against the
//! variable's type (LLVM's `verifyFragmentExpression`), and where a
//! `DILocation` may be an operand of other nodes (LLVM allows it under
//! `!dbg` and `!llvm.loop`, and its answer depends on the order it visits
//! nodes in).

use std::collections::{HashMap, HashSet};

use crate::debuginfo::{expression_is_valid, DiKind, DiNode, DiValue, SP_FLAG_DEFINITION};
use crate::inst::{InstKind, Value};
use crate::metadata::{MetaId, Metadata};
use crate::module::Function;
use crate::ConstKind;

use super::VerifyErrorKind as K;
use super::{Site, Verifier};

/// `DIFlagLValueReference`, `DIFlagRValueReference`, `DIFlagVector`,
/// `DIFlagAllCallsDescribed` and the retired `DIFlagBlockByRefStruct`.
const FLAG_LVALUE_REF: u64 = 1 << 13;
const FLAG_RVALUE_REF: u64 = 1 << 14;
const FLAG_VECTOR: u64 = 1 << 11;
const FLAG_ALL_CALLS_DESCRIBED: u64 = 1 << 29;
const FLAG_BLOCK_BYREF_STRUCT: u64 = 1 << 4;

/// The DWARF tags the rules name.
mod tag {
    pub const ARRAY: u64 = 0x01;
    pub const CLASS: u64 = 0x02;
    pub const ENUMERATION: u64 = 0x04;
    pub const IMPORTED_DECLARATION: u64 = 0x08;
    pub const MEMBER: u64 = 0x0d;
    pub const POINTER: u64 = 0x0f;
    pub const REFERENCE: u64 = 0x10;
    pub const STRING_TYPE: u64 = 0x12;
    pub const STRUCTURE: u64 = 0x13;
    pub const TYPEDEF: u64 = 0x16;
    pub const UNION: u64 = 0x17;
    pub const INHERITANCE: u64 = 0x1c;
    pub const PTR_TO_MEMBER: u64 = 0x1f;
    pub const SET_TYPE: u64 = 0x20;
    pub const BASE_TYPE: u64 = 0x24;
    pub const CONST: u64 = 0x26;
    pub const FRIEND: u64 = 0x2a;
    pub const NAMELIST: u64 = 0x2b;
    pub const TEMPLATE_VALUE_PARAMETER: u64 = 0x30;
    pub const VARIANT_PART: u64 = 0x33;
    pub const VOLATILE: u64 = 0x35;
    pub const RESTRICT: u64 = 0x37;
    pub const IMPORTED_MODULE: u64 = 0x3a;
    pub const UNSPECIFIED_TYPE: u64 = 0x3b;
    pub const RVALUE_REFERENCE: u64 = 0x42;
    pub const ATOMIC: u64 = 0x47;
    pub const IMMUTABLE: u64 = 0x4b;
    pub const GNU_TEMPLATE_TEMPLATE_PARAM: u64 = 0x4106;
    pub const GNU_TEMPLATE_PARAMETER_PACK: u64 = 0x4107;
}

/// `DW_LANG_Fortran*`: where a subrange may leave its count out.
const FORTRAN: [u64; 5] = [0x07, 0x08, 0x0e, 0x22, 0x23];

fn is_type_kind(k: DiKind) -> bool {
    matches!(
        k,
        DiKind::BasicType
            | DiKind::DerivedType
            | DiKind::CompositeType
            | DiKind::SubroutineType
            | DiKind::StringType
    )
}

fn is_local_scope_kind(k: DiKind) -> bool {
    matches!(
        k,
        DiKind::Subprogram | DiKind::LexicalBlock | DiKind::LexicalBlockFile
    )
}

fn is_scope_kind(k: DiKind) -> bool {
    is_type_kind(k)
        || is_local_scope_kind(k)
        || matches!(
            k,
            DiKind::File
                | DiKind::CompileUnit
                | DiKind::Namespace
                | DiKind::Module
                | DiKind::CommonBlock
        )
}

/// LLVM's `DINode` subclasses (not locations, expressions, global
/// variable expressions, macros or argument lists).
fn is_dinode_kind(k: DiKind) -> bool {
    !matches!(
        k,
        DiKind::Location
            | DiKind::Expression
            | DiKind::GlobalVariableExpression
            | DiKind::Macro
            | DiKind::MacroFile
            | DiKind::ArgList
    )
}

fn is_variable_or_expression(k: DiKind) -> bool {
    matches!(
        k,
        DiKind::GlobalVariable | DiKind::LocalVariable | DiKind::Expression
    )
}

/// Collects the messages of failed checks.
struct Problems(Vec<&'static str>);

impl Problems {
    fn check(&mut self, ok: bool, msg: &'static str) {
        if !ok {
            self.0.push(msg);
        }
    }
}

impl<'m> Verifier<'m> {
    fn di_at(&self, id: MetaId) -> Option<&'m DiNode> {
        self.m.metadata.get(id.0 as usize).and_then(Metadata::di)
    }

    fn di_kind_of(&self, id: Option<MetaId>) -> Option<DiKind> {
        id.and_then(|i| self.di_at(i)).map(|n| n.kind)
    }

    /// `null` or a node of a kind `ok` accepts.
    fn null_or(&self, id: Option<MetaId>, ok: fn(DiKind) -> bool) -> bool {
        id.is_none() || self.di_kind_of(id).is_some_and(ok)
    }

    fn is_tuple(&self, id: MetaId) -> bool {
        matches!(
            self.m.metadata.get(id.0 as usize),
            Some(Metadata::Node { .. })
        )
    }

    /// The operands of a tuple (empty for anything else).
    fn tuple_ops(&self, id: MetaId) -> &'m [Option<MetaId>] {
        match self.m.metadata.get(id.0 as usize) {
            Some(Metadata::Node { operands, .. }) => operands,
            _ => &[],
        }
    }

    fn is_definition(&self, sp: MetaId) -> bool {
        self.di_at(sp).is_some_and(|n| {
            n.kind == DiKind::Subprogram && n.int("spFlags") & SP_FLAG_DEFINITION != 0
        })
    }

    /// The subprogram a local scope belongs to (following lexical blocks),
    /// with a bound so a cycle of blocks cannot loop.
    fn subprogram_of(&self, scope: Option<MetaId>) -> Option<MetaId> {
        let mut cur = scope?;
        for _ in 0..=self.m.metadata.len() {
            let n = self.di_at(cur)?;
            match n.kind {
                DiKind::Subprogram => return Some(cur),
                DiKind::LexicalBlock | DiKind::LexicalBlockFile => cur = n.md("scope")?,
                _ => return None,
            }
        }
        None
    }

    fn di_report(&mut self, site: Site<'_>, msg: impl Into<String>) {
        self.report(site, K::BadDebugInfo, msg);
    }

    /// Checks one debug-info node (`visitDI*` of its kind).
    pub(super) fn check_di_node(&mut self, id: MetaId, node: &'m DiNode) {
        let n = self.m.metadata.len();
        let site = Site::Meta(id);
        let mut dangling = Vec::new();
        let mut local = false;
        node.for_each_ref(|r| {
            if r.0 as usize >= n {
                dangling.push(r);
            } else if node.kind != DiKind::ArgList && self.is_local_metadata(r) {
                local = true;
            }
        });
        for r in &dangling {
            self.report(
                site,
                K::UndefinedMetadata,
                format!("refers to metadata #{} which does not exist", r.0),
            );
        }
        if !dangling.is_empty() {
            return;
        }
        if local {
            self.report(
                site,
                K::BadMetadata,
                "a function-local value is an operand of a debug-info node",
            );
        }
        let mut p = Problems(Vec::new());
        self.node_rules(node, &mut p);
        let name = node.kind.info().name;
        for e in p.0 {
            self.di_report(site, format!("!{name}: {e}"));
        }
    }

    /// The rules of `node`'s kind.
    fn node_rules(&self, node: &DiNode, p: &mut Problems) {
        let md = |name: &str| node.md(name);
        let int = |name: &str| node.int(name);
        let tag = int("tag");
        let file_ok = self.null_or(md("file"), |k| k == DiKind::File);
        let refs_ok = int("flags") & (FLAG_LVALUE_REF | FLAG_RVALUE_REF)
            != (FLAG_LVALUE_REF | FLAG_RVALUE_REF);
        match node.kind {
            DiKind::Location => {
                let scope = md("scope");
                p.check(
                    self.di_kind_of(scope).is_some_and(is_local_scope_kind),
                    "location requires a valid scope",
                );
                p.check(
                    self.null_or(md("inlinedAt"), |k| k == DiKind::Location),
                    "inlined-at should be a location",
                );
                if self.di_kind_of(scope) == Some(DiKind::Subprogram) {
                    p.check(
                        scope.is_some_and(|s| self.is_definition(s)),
                        "scope points into the type hierarchy",
                    );
                }
            }
            DiKind::GenericDINode => p.check(tag != 0, "invalid tag"),
            DiKind::Subrange => {
                let (count, upper) = (md("count"), md("upperBound"));
                p.check(
                    self.fortran_unit() || count.is_some() || upper.is_some(),
                    "Subrange must contain count or upperBound",
                );
                p.check(
                    count.is_none() || upper.is_none(),
                    "Subrange can have any one of count or upperBound",
                );
                let bound_ok = |v: Option<MetaId>| {
                    v.is_none()
                        || self.is_constant_md(v)
                        || self.di_kind_of(v).is_some_and(is_variable_or_expression)
                };
                p.check(
                    bound_ok(count),
                    "Count must be signed constant or DIVariable or DIExpression",
                );
                p.check(
                    bound_ok(md("lowerBound")),
                    "LowerBound must be signed constant or DIVariable or DIExpression",
                );
                p.check(
                    bound_ok(upper),
                    "UpperBound must be signed constant or DIVariable or DIExpression",
                );
                p.check(
                    bound_ok(md("stride")),
                    "Stride must be signed constant or DIVariable or DIExpression",
                );
                if let Some(c) = self.constant_int(count) {
                    p.check(c >= -1, "invalid subrange count");
                }
            }
            DiKind::GenericSubrange => {
                let (count, upper) = (md("count"), md("upperBound"));
                p.check(
                    count.is_some() || upper.is_some(),
                    "GenericSubrange must contain count or upperBound",
                );
                p.check(
                    count.is_none() || upper.is_none(),
                    "GenericSubrange can have any one of count or upperBound",
                );
                let ok = |v: Option<MetaId>| self.null_or(v, is_variable_or_expression);
                p.check(
                    ok(count),
                    "Count must be signed constant or DIVariable or DIExpression",
                );
                p.check(
                    md("lowerBound").is_some(),
                    "GenericSubrange must contain lowerBound",
                );
                p.check(
                    ok(md("lowerBound")),
                    "LowerBound must be signed constant or DIVariable or DIExpression",
                );
                p.check(
                    ok(upper),
                    "UpperBound must be signed constant or DIVariable or DIExpression",
                );
                p.check(
                    md("stride").is_some(),
                    "GenericSubrange must contain stride",
                );
                p.check(
                    ok(md("stride")),
                    "Stride must be signed constant or DIVariable or DIExpression",
                );
            }
            DiKind::Enumerator | DiKind::ArgList => {}
            DiKind::BasicType => p.check(
                matches!(
                    tag,
                    tag::BASE_TYPE | tag::UNSPECIFIED_TYPE | tag::STRING_TYPE
                ),
                "invalid tag",
            ),
            DiKind::StringType => p.check(tag == tag::STRING_TYPE, "invalid tag"),
            DiKind::DerivedType => {
                p.check(file_ok, "invalid file");
                p.check(
                    matches!(
                        tag,
                        tag::TYPEDEF
                            | tag::POINTER
                            | tag::PTR_TO_MEMBER
                            | tag::REFERENCE
                            | tag::RVALUE_REFERENCE
                            | tag::CONST
                            | tag::IMMUTABLE
                            | tag::VOLATILE
                            | tag::RESTRICT
                            | tag::ATOMIC
                            | tag::MEMBER
                            | tag::INHERITANCE
                            | tag::FRIEND
                            | tag::SET_TYPE
                    ),
                    "invalid tag",
                );
                if tag == tag::PTR_TO_MEMBER {
                    p.check(
                        self.null_or(md("extraData"), is_type_kind),
                        "invalid pointer to member type",
                    );
                }
                if tag == tag::SET_TYPE {
                    if let Some(base) = md("baseType").and_then(|b| self.di_at(b)) {
                        let ok = match base.kind {
                            DiKind::CompositeType => base.int("tag") == tag::ENUMERATION,
                            // unsigned, signed, signed char, unsigned char,
                            // boolean.
                            DiKind::BasicType => {
                                matches!(base.int("encoding"), 0x08 | 0x05 | 0x06 | 0x07 | 0x02)
                            }
                            _ => false,
                        };
                        p.check(ok, "invalid set base type");
                    }
                }
                p.check(self.null_or(md("scope"), is_scope_kind), "invalid scope");
                p.check(
                    self.null_or(md("baseType"), is_type_kind),
                    "invalid base type",
                );
                if int("dwarfAddressSpace") != 0 {
                    p.check(
                        matches!(tag, tag::POINTER | tag::REFERENCE | tag::RVALUE_REFERENCE),
                        "DWARF address space only applies to pointer or reference types",
                    );
                }
            }
            DiKind::CompositeType => {
                p.check(file_ok, "invalid file");
                p.check(
                    matches!(
                        tag,
                        tag::ARRAY
                            | tag::STRUCTURE
                            | tag::UNION
                            | tag::ENUMERATION
                            | tag::CLASS
                            | tag::VARIANT_PART
                            | tag::NAMELIST
                    ),
                    "invalid tag",
                );
                p.check(self.null_or(md("scope"), is_scope_kind), "invalid scope");
                p.check(
                    self.null_or(md("baseType"), is_type_kind),
                    "invalid base type",
                );
                let elements = md("elements");
                p.check(
                    elements.is_none_or(|e| self.is_tuple(e)),
                    "invalid composite elements",
                );
                p.check(
                    self.null_or(md("vtableHolder"), is_type_kind),
                    "invalid vtable holder",
                );
                p.check(refs_ok, "invalid reference flags");
                p.check(
                    int("flags") & FLAG_BLOCK_BYREF_STRUCT == 0,
                    "DIBlockByRefStruct on DICompositeType is no longer supported",
                );
                if int("flags") & FLAG_VECTOR != 0 {
                    let ops = elements.map_or(&[][..], |e| self.tuple_ops(e));
                    p.check(
                        ops.len() == 1 && self.di_kind_of(ops[0]) == Some(DiKind::Subrange),
                        "invalid vector, expected one element of type subrange",
                    );
                }
                if let Some(params) = md("templateParams") {
                    self.template_params(params, p);
                }
                if md("discriminator").is_some() {
                    p.check(
                        self.di_kind_of(md("discriminator")) == Some(DiKind::DerivedType)
                            && tag == tag::VARIANT_PART,
                        "discriminator can only appear on variant part",
                    );
                }
                for (name, msg) in [
                    ("dataLocation", "dataLocation can only appear in array type"),
                    ("associated", "associated can only appear in array type"),
                    ("allocated", "allocated can only appear in array type"),
                    ("rank", "rank can only appear in array type"),
                ] {
                    if md(name).is_some() {
                        p.check(tag == tag::ARRAY, msg);
                    }
                }
            }
            DiKind::SubroutineType => {
                if let Some(types) = md("types") {
                    p.check(self.is_tuple(types), "invalid composite elements");
                    for t in self.tuple_ops(types) {
                        p.check(
                            self.null_or(*t, is_type_kind),
                            "invalid subroutine type ref",
                        );
                    }
                }
                p.check(refs_ok, "invalid reference flags");
            }
            DiKind::File => {
                let kind = int("checksumkind");
                if kind != 0 {
                    let sum = self.string_field(node, "checksum");
                    let size = match kind {
                        1 => 32,
                        2 => 40,
                        _ => 64,
                    };
                    p.check(kind <= 3, "invalid checksum kind");
                    p.check(sum.len() == size, "invalid checksum length");
                    p.check(sum.iter().all(u8::is_ascii_hexdigit), "invalid checksum");
                }
            }
            DiKind::CompileUnit => self.unit_rules(node, p),
            DiKind::Subprogram => self.subprogram_rules(node, p, file_ok, refs_ok),
            DiKind::LexicalBlock | DiKind::LexicalBlockFile => {
                let scope = md("scope");
                p.check(
                    self.di_kind_of(scope).is_some_and(is_local_scope_kind),
                    "invalid local scope",
                );
                if self.di_kind_of(scope) == Some(DiKind::Subprogram) {
                    p.check(
                        scope.is_some_and(|s| self.is_definition(s)),
                        "scope points into the type hierarchy",
                    );
                }
                if node.kind == DiKind::LexicalBlock {
                    p.check(
                        int("line") != 0 || int("column") == 0,
                        "cannot have column info without line info",
                    );
                }
            }
            DiKind::CommonBlock => {
                p.check(
                    self.null_or(md("scope"), is_scope_kind),
                    "invalid scope ref",
                );
                p.check(
                    self.null_or(md("declaration"), |k| k == DiKind::GlobalVariable),
                    "invalid declaration",
                );
            }
            DiKind::Namespace => p.check(
                self.null_or(md("scope"), is_scope_kind),
                "invalid scope ref",
            ),
            DiKind::Macro => {
                p.check(matches!(int("type"), 1 | 2), "invalid macinfo type");
                p.check(md("name").is_some(), "anonymous macro");
            }
            DiKind::MacroFile => {
                p.check(int("type") == 3, "invalid macinfo type");
                p.check(file_ok, "invalid file");
                if let Some(list) = md("nodes") {
                    p.check(self.is_tuple(list), "invalid macro list");
                    for op in self.tuple_ops(list) {
                        p.check(
                            matches!(
                                self.di_kind_of(*op),
                                Some(DiKind::Macro | DiKind::MacroFile)
                            ),
                            "invalid macro ref",
                        );
                    }
                }
            }
            DiKind::Module => p.check(md("name").is_some(), "anonymous module"),
            DiKind::TemplateTypeParameter => {
                p.check(self.null_or(md("type"), is_type_kind), "invalid type ref")
            }
            DiKind::TemplateValueParameter => {
                p.check(self.null_or(md("type"), is_type_kind), "invalid type ref");
                p.check(
                    matches!(
                        tag,
                        tag::TEMPLATE_VALUE_PARAMETER
                            | tag::GNU_TEMPLATE_TEMPLATE_PARAM
                            | tag::GNU_TEMPLATE_PARAMETER_PACK
                    ),
                    "invalid tag",
                );
            }
            DiKind::GlobalVariable => {
                p.check(self.null_or(md("scope"), is_scope_kind), "invalid scope");
                p.check(file_ok, "invalid file");
                p.check(self.null_or(md("type"), is_type_kind), "invalid type ref");
                if int("isDefinition") != 0 {
                    p.check(md("type").is_some(), "missing global variable type");
                }
                p.check(
                    self.null_or(md("declaration"), |k| k == DiKind::DerivedType),
                    "invalid static data member declaration",
                );
            }
            DiKind::LocalVariable => {
                p.check(self.null_or(md("scope"), is_scope_kind), "invalid scope");
                p.check(file_ok, "invalid file");
                p.check(self.null_or(md("type"), is_type_kind), "invalid type ref");
                p.check(
                    self.di_kind_of(md("scope"))
                        .is_some_and(is_local_scope_kind),
                    "local variable requires a valid scope",
                );
                p.check(
                    self.di_kind_of(md("type")) != Some(DiKind::SubroutineType),
                    "invalid type",
                );
            }
            DiKind::Label => {
                p.check(self.null_or(md("scope"), is_scope_kind), "invalid scope");
                p.check(file_ok, "invalid file");
                p.check(
                    self.di_kind_of(md("scope"))
                        .is_some_and(is_local_scope_kind),
                    "label requires a valid scope",
                );
            }
            DiKind::Expression => {
                let valid = match node.fields.first() {
                    Some(DiValue::Ints(e)) => expression_is_valid(e),
                    _ => false,
                };
                p.check(valid, "invalid expression");
            }
            DiKind::GlobalVariableExpression => {
                p.check(md("var").is_some(), "missing variable");
                p.check(
                    self.null_or(md("var"), |k| k == DiKind::GlobalVariable),
                    "invalid global variable",
                );
                p.check(
                    self.null_or(md("expr"), |k| k == DiKind::Expression),
                    "invalid expression",
                );
            }
            DiKind::ObjCProperty => {
                p.check(self.null_or(md("type"), is_type_kind), "invalid type ref");
                p.check(file_ok, "invalid file");
            }
            DiKind::ImportedEntity => {
                p.check(
                    matches!(tag, tag::IMPORTED_MODULE | tag::IMPORTED_DECLARATION),
                    "invalid tag",
                );
                p.check(
                    self.null_or(md("scope"), is_scope_kind),
                    "invalid scope for imported entity",
                );
                p.check(
                    self.null_or(md("entity"), is_dinode_kind),
                    "invalid imported entity",
                );
            }
        }
    }

    /// `visitDICompileUnit`.
    fn unit_rules(&self, node: &DiNode, p: &mut Problems) {
        p.check(node.distinct, "compile units must be distinct");
        let file = node
            .md("file")
            .and_then(|f| self.di_at(f))
            .filter(|f| f.kind == DiKind::File);
        p.check(file.is_some(), "invalid file");
        if let Some(f) = file {
            p.check(
                !self.string_field(f, "filename").is_empty(),
                "invalid filename",
            );
        }
        p.check(node.int("emissionKind") <= 3, "invalid emission kind");
        type ItemRule<'v, 'm> = fn(&'v Verifier<'m>, MetaId) -> bool;
        let lists: [(&str, &'static str, &'static str, ItemRule<'_, 'm>); 5] = [
            ("enums", "invalid enum list", "invalid enum type", |v, o| {
                v.di_at(o).is_some_and(|n| {
                    n.kind == DiKind::CompositeType && n.int("tag") == tag::ENUMERATION
                })
            }),
            (
                "retainedTypes",
                "invalid retained type list",
                "invalid retained type",
                |v, o| match v.di_kind_of(Some(o)) {
                    Some(DiKind::Subprogram) => !v.is_definition(o),
                    Some(k) => is_type_kind(k),
                    None => false,
                },
            ),
            (
                "globals",
                "invalid global variable list",
                "invalid global variable ref",
                |v, o| v.di_kind_of(Some(o)) == Some(DiKind::GlobalVariableExpression),
            ),
            (
                "imports",
                "invalid imported entity list",
                "invalid imported entity ref",
                |v, o| v.di_kind_of(Some(o)) == Some(DiKind::ImportedEntity),
            ),
            (
                "macros",
                "invalid macro list",
                "invalid macro ref",
                |v, o| {
                    matches!(
                        v.di_kind_of(Some(o)),
                        Some(DiKind::Macro | DiKind::MacroFile)
                    )
                },
            ),
        ];
        for (name, list_msg, item_msg, ok) in lists {
            if let Some(list) = node.md(name) {
                p.check(self.is_tuple(list), list_msg);
                for op in self.tuple_ops(list) {
                    p.check(op.is_some_and(|o| ok(self, o)), item_msg);
                }
            }
        }
    }

    /// `visitDISubprogram`.
    fn subprogram_rules(&self, node: &DiNode, p: &mut Problems, file_ok: bool, refs_ok: bool) {
        let md = |name: &str| node.md(name);
        p.check(self.null_or(md("scope"), is_scope_kind), "invalid scope");
        if md("file").is_some() {
            p.check(file_ok, "invalid file");
        } else {
            p.check(node.int("line") == 0, "line specified with no file");
        }
        p.check(
            self.null_or(md("type"), |k| k == DiKind::SubroutineType),
            "invalid subroutine type",
        );
        p.check(
            self.null_or(md("containingType"), is_type_kind),
            "invalid containing type",
        );
        if let Some(params) = md("templateParams") {
            self.template_params(params, p);
        }
        if let Some(d) = md("declaration") {
            p.check(
                self.di_kind_of(Some(d)) == Some(DiKind::Subprogram) && !self.is_definition(d),
                "invalid subprogram declaration",
            );
        }
        if let Some(r) = md("retainedNodes") {
            p.check(self.is_tuple(r), "invalid retained nodes list");
            for op in self.tuple_ops(r) {
                p.check(
                    matches!(
                        self.di_kind_of(*op),
                        Some(DiKind::LocalVariable | DiKind::Label)
                    ),
                    "invalid retained nodes, expected DILocalVariable or DILabel",
                );
            }
        }
        p.check(refs_ok, "invalid reference flags");
        let unit = md("unit");
        let definition = node.int("spFlags") & SP_FLAG_DEFINITION != 0;
        if definition {
            p.check(node.distinct, "subprogram definitions must be distinct");
            p.check(
                unit.is_some(),
                "subprogram definitions must have a compile unit",
            );
            if unit.is_some() {
                p.check(
                    self.di_kind_of(unit) == Some(DiKind::CompileUnit),
                    "invalid unit type",
                );
            }
        } else {
            p.check(
                unit.is_none(),
                "subprogram declarations must not have a compile unit",
            );
        }
        if let Some(t) = md("thrownTypes") {
            p.check(self.is_tuple(t), "invalid thrown types list");
            for op in self.tuple_ops(t) {
                p.check(
                    op.is_some() && self.null_or(*op, is_type_kind),
                    "invalid thrown type",
                );
            }
        }
        if node.int("flags") & FLAG_ALL_CALLS_DESCRIBED != 0 {
            p.check(
                definition,
                "DIFlagAllCallsDescribed must be attached to a definition",
            );
        }
    }

    /// `visitTemplateParams`.
    fn template_params(&self, params: MetaId, p: &mut Problems) {
        if !self.is_tuple(params) {
            p.check(false, "invalid template params");
            return;
        }
        for op in self.tuple_ops(params) {
            p.check(
                matches!(
                    self.di_kind_of(*op),
                    Some(DiKind::TemplateTypeParameter | DiKind::TemplateValueParameter)
                ),
                "invalid template parameter",
            );
        }
    }

    fn string_field(&self, node: &DiNode, name: &str) -> &'m [u8] {
        match node
            .md(name)
            .and_then(|m| self.m.metadata.get(m.0 as usize))
        {
            Some(Metadata::String(s)) => s,
            _ => &[],
        }
    }

    /// Whether `id` is a constant used as metadata.
    fn is_constant_md(&self, id: Option<MetaId>) -> bool {
        matches!(
            id.and_then(|i| self.m.metadata.get(i.0 as usize)),
            Some(Metadata::Value {
                value: Value::Const(_),
                ..
            })
        )
    }

    /// The value of an integer constant used as metadata.
    fn constant_int(&self, id: Option<MetaId>) -> Option<i128> {
        let Some(Metadata::Value {
            ty,
            value: Value::Const(c),
        }) = id.and_then(|i| self.m.metadata.get(i.0 as usize))
        else {
            return None;
        };
        let width = self.t.int_width(*ty)?;
        match &self.m.consts.try_get(*c)?.kind {
            ConstKind::Int(v) => v.as_i128(width),
            _ => None,
        }
    }

    /// Whether some compile unit is in a Fortran language (whose subranges
    /// may be assumed-size).
    fn fortran_unit(&self) -> bool {
        self.m.metadata.iter().any(|m| {
            matches!(m, Metadata::Di(n) if n.kind == DiKind::CompileUnit
                && FORTRAN.contains(&n.int("language")))
        })
    }

    /// The checks of one `!dbg` attachment of a global or an instruction.
    pub(super) fn check_dbg_attachment(&mut self, site: Site<'_>, id: MetaId) {
        let kind = self.di_kind_of(Some(id));
        match site {
            Site::Inst(..) if kind != Some(DiKind::Location) => {
                self.di_report(site, "invalid !dbg metadata attachment")
            }
            Site::Global(_) if kind != Some(DiKind::GlobalVariableExpression) => self.di_report(
                site,
                "!dbg attachment of global variable must be a DIGlobalVariableExpression",
            ),
            _ => {}
        }
    }

    /// The debug-info checks of one function: its `!dbg` attachment, and
    /// for a function with a subprogram that every location leads back to
    /// it; the operands of `llvm.dbg.*` calls; locations on calls between
    /// functions with debug info.
    pub(super) fn check_function_debug(&mut self, f: &'m Function) {
        let site = Site::Function(f);
        let dbg: Vec<MetaId> = f
            .attachments
            .iter()
            .filter(|(k, _)| k == "dbg")
            .map(|(_, m)| *m)
            .collect();
        if dbg.len() > 1 {
            self.di_report(site, "function must have a single !dbg attachment");
        }
        let sp = dbg.first().copied();
        if let Some(sp) = sp {
            if self.di_kind_of(Some(sp)) != Some(DiKind::Subprogram) {
                self.di_report(site, "function !dbg attachment must be a subprogram");
                return;
            }
            let distinct = self.m.metadata[sp.0 as usize].is_distinct();
            if f.is_declaration() {
                if distinct {
                    self.di_report(
                        site,
                        "function declaration may only have a unique !dbg attachment",
                    );
                }
            } else if !distinct {
                self.di_report(
                    site,
                    "function definition may only have a distinct !dbg attachment",
                );
            }
        }
        if f.is_declaration() {
            return;
        }
        let has_sp = sp.is_some();
        let mut seen = HashSet::new();
        let mut fn_args: HashMap<u64, MetaId> = HashMap::new();
        for (b, block) in f.blocks.iter().enumerate() {
            for (i, iid) in block.insts.iter().enumerate() {
                let Some(inst) = f.insts.get(iid.0 as usize) else {
                    continue;
                };
                let isite = Site::Inst(f, b, i, inst.kind.opcode());
                let loc = inst
                    .attachments
                    .iter()
                    .find(|(k, _)| k == "dbg")
                    .map(|(_, m)| *m)
                    .filter(|m| self.di_kind_of(Some(*m)) == Some(DiKind::Location));
                if has_sp {
                    if let Some(l) = loc {
                        self.location_leads_to(isite, l, sp, &mut seen);
                    }
                    let looped = inst.attachments.iter().find(|(k, _)| k == "llvm.loop");
                    if let Some((_, lp)) = looped {
                        for op in self.tuple_ops(*lp).iter().skip(1).flatten() {
                            if self.di_kind_of(Some(*op)) == Some(DiKind::Location) {
                                self.location_leads_to(isite, *op, sp, &mut seen);
                            }
                        }
                    }
                }
                if let InstKind::Call(call) = &inst.kind {
                    self.debug_call(isite, call, loc, has_sp, &mut fn_args);
                }
            }
        }
    }

    /// The `visitFunction` rule: location `loc` of an instruction of the
    /// function with subprogram `sp` must, through its inlined-at chain and
    /// lexical blocks, lead to that subprogram.
    fn location_leads_to(
        &mut self,
        site: Site<'_>,
        loc: MetaId,
        sp: Option<MetaId>,
        seen: &mut HashSet<MetaId>,
    ) {
        if !seen.insert(loc) {
            return;
        }
        let scope = self.di_at(loc).and_then(|n| n.md("scope"));
        if !self.di_kind_of(scope).is_some_and(is_local_scope_kind) {
            self.di_report(site, "DILocation's scope must be a DILocalScope");
            return;
        }
        // The scope of the last location of the inlined-at chain.
        let mut cur = loc;
        for _ in 0..=self.m.metadata.len() {
            match self.di_at(cur).and_then(|n| n.md("inlinedAt")) {
                Some(next) if self.di_kind_of(Some(next)) == Some(DiKind::Location) => cur = next,
                _ => break,
            }
        }
        let Some(inlined_scope) = self.di_at(cur).and_then(|n| n.md("scope")) else {
            return;
        };
        if !seen.insert(inlined_scope) {
            return;
        }
        let Some(sub) = self.subprogram_of(Some(inlined_scope)) else {
            return;
        };
        if sub != inlined_scope && !seen.insert(sub) {
            return;
        }
        if Some(sub) != sp {
            self.di_report(
                site,
                "!dbg attachment points at wrong subprogram for function",
            );
        }
    }

    /// `visitDbgIntrinsic`, `visitDbgLabelIntrinsic`, `verifyFnArgs` and the
    /// rule that inlinable calls in a function with debug info carry a
    /// location.
    fn debug_call(
        &mut self,
        site: Site<'_>,
        call: &crate::inst::Call,
        loc: Option<MetaId>,
        has_sp: bool,
        fn_args: &mut HashMap<u64, MetaId>,
    ) {
        let Value::Const(c) = call.callee else {
            return;
        };
        let Some(ConstKind::Function(callee)) = self.m.consts.try_get(c).map(|c| &c.kind) else {
            return;
        };
        let Some(callee) = self.m.functions.get(callee.0 as usize) else {
            return;
        };
        let md_arg = |k: usize| match call.args.get(k) {
            Some(Value::Metadata(m)) => Some(*m),
            _ => None,
        };
        let kind = match callee.name.as_str() {
            "llvm.dbg.declare" => "declare",
            "llvm.dbg.value" => "value",
            "llvm.dbg.addr" => "addr",
            "llvm.dbg.label" => {
                let label = md_arg(0);
                if self.di_kind_of(label) != Some(DiKind::Label) {
                    self.di_report(site, "invalid llvm.dbg.label intrinsic variable");
                    return;
                }
                let Some(l) = loc else {
                    self.di_report(site, "llvm.dbg.label intrinsic requires a !dbg attachment");
                    return;
                };
                let label_scope = label.and_then(|x| self.di_at(x)?.md("scope"));
                let label_sp = self.subprogram_of(label_scope);
                let loc_sp = self.subprogram_of(self.di_at(l).and_then(|n| n.md("scope")));
                if label_sp.is_some() && loc_sp.is_some() && label_sp != loc_sp {
                    self.di_report(
                        site,
                        "mismatched subprogram between llvm.dbg.label label and !dbg attachment",
                    );
                }
                return;
            }
            _ => {
                let inlinable = callee.attachments.iter().any(|(k, _)| k == "dbg");
                if has_sp && inlinable && loc.is_none() {
                    self.di_report(
                        site,
                        "inlinable function call in a function with debug info must have a !dbg location",
                    );
                }
                return;
            }
        };
        let location = md_arg(0);
        let ok = match location.and_then(|m| self.m.metadata.get(m.0 as usize)) {
            Some(Metadata::Value { .. }) => true,
            Some(Metadata::Di(n)) => n.kind == DiKind::ArgList,
            Some(Metadata::Node { operands, .. }) => operands.is_empty(),
            _ => false,
        };
        if !ok {
            self.di_report(
                site,
                format!("invalid llvm.dbg.{kind} intrinsic address/value"),
            );
        }
        let var = md_arg(1);
        if self.di_kind_of(var) != Some(DiKind::LocalVariable) {
            self.di_report(site, format!("invalid llvm.dbg.{kind} intrinsic variable"));
            return;
        }
        if self.di_kind_of(md_arg(2)) != Some(DiKind::Expression) {
            self.di_report(
                site,
                format!("invalid llvm.dbg.{kind} intrinsic expression"),
            );
        }
        let Some(l) = loc else {
            self.di_report(
                site,
                format!("llvm.dbg.{kind} intrinsic requires a !dbg attachment"),
            );
            return;
        };
        let var_node = var.and_then(|v| self.di_at(v));
        let var_sp = self.subprogram_of(var_node.and_then(|n| n.md("scope")));
        let loc_sp = self.subprogram_of(self.di_at(l).and_then(|n| n.md("scope")));
        if var_sp.is_some() && loc_sp.is_some() && var_sp != loc_sp {
            self.di_report(
                site,
                format!(
                    "mismatched subprogram between llvm.dbg.{kind} variable and !dbg attachment"
                ),
            );
        }
        // No two variables for one argument (non-inlined calls only).
        if has_sp && self.di_at(l).and_then(|n| n.md("inlinedAt")).is_none() {
            let arg = var_node.map_or(0, |n| n.int("arg"));
            if let (Some(v), true) = (var, arg != 0) {
                if let Some(prev) = fn_args.insert(arg, v) {
                    if prev != v {
                        self.di_report(site, "conflicting debug info for argument");
                    }
                }
            }
        }
    }

    /// Whether the module reaches metadata `id`.
    pub(super) fn di_reachable(&mut self, id: MetaId) -> bool {
        self.reachable_set().contains(&id)
    }

    /// Every metadata item the module reaches: what LLVM's verifier visits
    /// (named metadata, attachments of globals, functions and
    /// instructions, metadata call arguments, and their operands).
    fn reachable_set(&mut self) -> &HashSet<MetaId> {
        let m = self.m;
        self.reachable.get_or_insert_with(|| {
            let mut roots: Vec<MetaId> = Vec::new();
            for n in &m.named_metadata {
                roots.extend(&n.operands);
            }
            for g in &m.globals {
                roots.extend(g.attachments.iter().map(|(_, x)| *x));
            }
            for f in &m.functions {
                roots.extend(f.attachments.iter().map(|(_, x)| *x));
                for (_, iid) in f.layout() {
                    if let Some(inst) = f.insts.get(iid.0 as usize) {
                        roots.extend(inst.attachments.iter().map(|(_, x)| *x));
                        if let InstKind::Call(call) = &inst.kind {
                            for a in &call.args {
                                if let Value::Metadata(x) = a {
                                    roots.push(*x);
                                }
                            }
                        }
                    }
                }
            }
            let mut seen = HashSet::new();
            let mut stack = roots;
            while let Some(id) = stack.pop() {
                if !seen.insert(id) {
                    continue;
                }
                if let Some(md) = m.metadata.get(id.0 as usize) {
                    match md {
                        // Argument lists hold their values outside the
                        // operands.
                        Metadata::Di(n) if n.kind == DiKind::ArgList => {
                            n.for_each_ref(|r| stack.push(r))
                        }
                        _ => md.for_each_operand(|o| stack.extend(o)),
                    }
                }
            }
            seen
        })
    }

    /// The module-wide rules: the compile units of `!llvm.dbg.cu`, every
    /// compile unit reachable from the module listed there, one function
    /// per subprogram, and the same embedded-source choice for all files of
    /// a compile unit.
    pub(super) fn check_debug_module(&mut self) {
        let m = self.m;
        if let Some(n) = m.named("llvm.dbg.cu") {
            for (k, op) in n.operands.iter().enumerate() {
                if self.di_kind_of(Some(*op)) != Some(DiKind::CompileUnit) {
                    self.di_report(Site::Named(n, Some(k)), "invalid compile unit");
                }
            }
        }
        let listed: HashSet<MetaId> = m
            .named("llvm.dbg.cu")
            .map(|n| n.operands.iter().copied().collect())
            .unwrap_or_default();
        let seen = self.reachable_set().clone();
        let mut unlisted: Vec<MetaId> = seen
            .iter()
            .copied()
            .filter(|id| {
                !listed.contains(id)
                    && matches!(m.metadata.get(id.0 as usize),
                        Some(Metadata::Di(n)) if n.kind == DiKind::CompileUnit)
            })
            .collect();
        unlisted.sort();
        for id in unlisted {
            self.di_report(Site::Meta(id), "DICompileUnit not listed in llvm.dbg.cu");
        }
        // One function per subprogram.
        let mut attached: HashMap<MetaId, &str> = HashMap::new();
        for f in &m.functions {
            for (k, sp) in &f.attachments {
                if k != "dbg" || f.is_declaration() {
                    continue;
                }
                if let Some(prev) = attached.insert(*sp, &f.name) {
                    if prev != f.name {
                        self.di_report(
                            Site::Function(f),
                            "DISubprogram attached to more than one function",
                        );
                    }
                }
            }
        }
        // Embedded source: all files of a compile unit have it or none.
        let mut has_source: HashMap<MetaId, bool> = HashMap::new();
        let mut inconsistent = Vec::new();
        let file_source = |file: Option<MetaId>| -> Option<bool> {
            let n = self.di_at(file?)?;
            (n.kind == DiKind::File).then(|| !matches!(n.get("source"), Some(DiValue::Absent)))
        };
        for (i, md) in m.metadata.iter().enumerate() {
            let id = MetaId(i as u32);
            let Metadata::Di(n) = md else {
                continue;
            };
            if !seen.contains(&id) {
                continue;
            }
            let (unit, file) = match n.kind {
                DiKind::CompileUnit => (Some(id), n.md("file")),
                DiKind::Subprogram if n.int("spFlags") & SP_FLAG_DEFINITION != 0 => {
                    (n.md("unit"), n.md("file"))
                }
                _ => continue,
            };
            let (Some(unit), Some(src)) = (unit, file_source(file)) else {
                continue;
            };
            if *has_source.entry(unit).or_insert(src) != src {
                inconsistent.push(id);
            }
        }
        for id in inconsistent {
            self.di_report(Site::Meta(id), "inconsistent use of embedded source");
        }
    }
}
