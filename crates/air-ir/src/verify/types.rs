//! The type table: component ids exist, every shape is one LLVM allows,
//! no type contains itself; then which types are sized. Also the type ids
//! attributes carry.

use crate::attributes::{AttrSet, Attribute};
use crate::types::{StructBody, Type, TypeId, TypeTable};

use super::VerifyErrorKind as K;
use super::{Site, Verifier, MAX_INT_BITS};

impl<'m> Verifier<'m> {
    /// Checks the table itself: component ids exist, shapes are legal, and
    /// no type contains itself. Returns whether the rest may be verified.
    pub(super) fn check_type_table(&mut self) -> bool {
        let t = self.t;
        let n = t.len();
        let mut sound = true;
        let mut comps = Vec::new();
        for id in t.ids() {
            let site = Site::Module;
            let here = |t: &TypeTable| format!("type #{} ({})", id.0, type_shape(t.get(id)));
            let ty = t.get(id);
            comps.clear();
            type_components(t, id, &mut comps);
            if let Some(bad) = comps.iter().find(|c| **c >= n) {
                let msg = format!("{} refers to type #{} which does not exist", here(t), bad);
                self.report(site, K::UndefinedType, msg);
                sound = false;
                continue;
            }
            let site = Site::Type(id);
            match ty {
                Type::Int(w) if *w == 0 || *w > MAX_INT_BITS => {
                    self.report(
                        site,
                        K::MalformedType,
                        format!("integer width {w} is out of range 1..={MAX_INT_BITS}"),
                    );
                }
                Type::Pointer { pointee, .. }
                    if matches!(
                        t.get(*pointee),
                        Type::Void | Type::Label | Type::Metadata | Type::Token
                    ) =>
                {
                    self.report(
                        site,
                        K::MalformedType,
                        format!("pointer to {} is not allowed", self.tt(*pointee)),
                    );
                }
                Type::Array { elem, .. } if !valid_element(t.get(*elem)) => {
                    self.report(
                        site,
                        K::MalformedType,
                        format!("array element type {} is not allowed", self.tt(*elem)),
                    );
                }
                Type::Vector { len, elem } => {
                    if *len == 0 {
                        self.report(site, K::MalformedType, "vector has zero lanes");
                    }
                    if !matches!(
                        t.get(*elem),
                        Type::Int(_)
                            | Type::Half
                            | Type::BFloat
                            | Type::Float
                            | Type::Double
                            | Type::Pointer { .. }
                    ) {
                        self.report(
                            site,
                            K::MalformedType,
                            format!(
                                "vector element type {} is not an integer, float or pointer",
                                self.tt(*elem)
                            ),
                        );
                    }
                }
                Type::Struct { fields, .. } => {
                    for f in fields {
                        if !valid_element(t.get(*f)) {
                            self.report(
                                site,
                                K::MalformedType,
                                format!("struct field type {} is not allowed", self.tt(*f)),
                            );
                        }
                    }
                }
                Type::Named(name) => {
                    if name.is_empty() {
                        self.report(site, K::EmptyName, "named struct has an empty name");
                    }
                    if let Some(StructBody::Fields { fields, .. }) = t.struct_body(id) {
                        for f in fields {
                            if !valid_element(t.get(*f)) {
                                self.report(
                                    site,
                                    K::MalformedType,
                                    format!("struct field type {} is not allowed", self.tt(*f)),
                                );
                            }
                        }
                    }
                }
                Type::Function { ret, params, .. } => {
                    if matches!(
                        t.get(*ret),
                        Type::Function { .. } | Type::Label | Type::Metadata
                    ) {
                        self.report(
                            site,
                            K::MalformedType,
                            format!("function return type {} is not allowed", self.tt(*ret)),
                        );
                    }
                    for p in params {
                        if matches!(t.get(*p), Type::Void | Type::Function { .. }) {
                            self.report(
                                site,
                                K::MalformedType,
                                format!("function parameter type {} is not allowed", self.tt(*p)),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
        if !sound {
            return false;
        }
        // Structural types are interned bottom-up, so a cycle among them
        // (say a pointer whose pointee is itself) can only come from a
        // hand-built table; it would make every recursive query loop.
        let mut cyclic = Vec::new();
        dfs_post(
            n,
            |id, out| structural_children(t, TypeId(id as u32), out),
            |id| cyclic.push(id),
            |_| {},
        );
        if !cyclic.is_empty() {
            for id in cyclic {
                self.report(
                    Site::Module,
                    K::RecursiveType,
                    format!("type #{} contains itself", id),
                );
            }
            return false;
        }
        // Sizedness in DFS post-order (children first). A struct reached
        // again while its own size is being computed contains itself by
        // value; it and everything around the cycle stay unsized because a
        // child not yet computed reads as unsized.
        let mut recursive = vec![false; n];
        let mut order = Vec::with_capacity(n);
        dfs_post(
            n,
            |id, out| sized_children(t, TypeId(id as u32), out),
            |id| recursive[id] = true,
            |id| order.push(id),
        );
        let mut sized = vec![false; n];
        for id in order {
            let tid = TypeId(id as u32);
            let own = match t.get(tid) {
                Type::Int(_)
                | Type::Half
                | Type::BFloat
                | Type::Float
                | Type::Double
                | Type::Pointer { .. }
                | Type::Array { .. }
                | Type::Vector { .. }
                | Type::Struct { .. } => true,
                Type::Named(_) => matches!(t.struct_body(tid), Some(StructBody::Fields { .. })),
                _ => false,
            };
            comps.clear();
            sized_children(t, tid, &mut comps);
            sized[id] = own && !recursive[id] && comps.iter().all(|c| sized[*c]);
        }
        for (id, rec) in recursive.iter().enumerate() {
            if *rec {
                self.report(
                    Site::Type(TypeId(id as u32)),
                    K::RecursiveType,
                    "struct contains itself by value",
                );
            }
        }
        self.sized = sized;
        self.check_type_depths();
        true
    }

    pub(super) fn check_attr_types(&mut self, site: Site<'_>, set: &AttrSet, what: &str) {
        for a in set {
            if let Attribute::Type(kind, Some(ty)) = a {
                if !self.valid_ty(*ty) {
                    let msg = format!(
                        "{what} attribute `{}` refers to type #{} which does not exist",
                        kind.spelling(),
                        ty.0
                    );
                    self.report(site, K::UndefinedType, msg);
                }
            }
        }
    }
}

/// A one-word description of a type's shape, for messages about types whose
/// parts may not exist (so they cannot be rendered).
fn type_shape(t: &Type) -> &'static str {
    match t {
        Type::Void => "void",
        Type::Int(_) => "integer",
        Type::Half | Type::BFloat | Type::Float | Type::Double => "float",
        Type::Label => "label",
        Type::Metadata => "metadata",
        Type::Token => "token",
        Type::Pointer { .. } => "pointer",
        Type::Array { .. } => "array",
        Type::Vector { .. } => "vector",
        Type::Struct { .. } => "struct",
        Type::Named(_) => "named struct",
        Type::Function { .. } => "function",
    }
}

/// Whether a type may be an array element, struct field or global value.
pub(super) fn valid_element(t: &Type) -> bool {
    !matches!(
        t,
        Type::Void | Type::Label | Type::Metadata | Type::Function { .. } | Type::Token
    )
}

/// Appends every type id a type mentions to `out`, named-struct bodies
/// included.
fn type_components(t: &TypeTable, id: TypeId, out: &mut Vec<usize>) {
    structural_children(t, id, out);
    if let Some(StructBody::Fields { fields, .. }) = t.struct_body(id) {
        out.extend(fields.iter().map(|x| x.0 as usize));
    }
}

/// Appends the ids a type refers to structurally (not through a named
/// struct's body) to `out`. Only call with `id` valid; children may be out
/// of range. (Appending into a caller's buffer: the table check visits
/// every type, and a Vec per type was most of its cost on small modules.)
pub(super) fn structural_children(t: &TypeTable, id: TypeId, out: &mut Vec<usize>) {
    let c = |x: &TypeId| x.0 as usize;
    match t.get(id) {
        Type::Pointer { pointee, .. } => out.push(c(pointee)),
        Type::Array { elem, .. } | Type::Vector { elem, .. } => out.push(c(elem)),
        Type::Struct { fields, .. } => out.extend(fields.iter().map(c)),
        Type::Function { ret, params, .. } => {
            out.extend(std::iter::once(ret).chain(params).map(c));
        }
        _ => {}
    }
}

/// Appends the ids whose sizes a type's size depends on (pointers depend
/// on none) to `out`.
pub(super) fn sized_children(t: &TypeTable, id: TypeId, out: &mut Vec<usize>) {
    let c = |x: &TypeId| x.0 as usize;
    match t.get(id) {
        Type::Array { elem, .. } | Type::Vector { elem, .. } => out.push(c(elem)),
        Type::Struct { fields, .. } => out.extend(fields.iter().map(c)),
        Type::Named(_) => {
            if let Some(StructBody::Fields { fields, .. }) = t.struct_body(id) {
                out.extend(fields.iter().map(c));
            }
        }
        _ => {}
    }
}

/// Iterative depth-first search over `0..n` (so deep types cannot overflow
/// the stack). `children(node, out)` appends a node's children to `out`.
/// Calls `back_edge(target)` for each edge into a node still on the stack
/// (a cycle); `finish` runs as each node completes.
pub(super) fn dfs_post(
    n: usize,
    children: impl Fn(usize, &mut Vec<usize>),
    mut back_edge: impl FnMut(usize),
    mut finish: impl FnMut(usize),
) {
    #[derive(Clone, Copy, PartialEq)]
    enum C {
        White,
        Grey,
        Black,
    }
    let mut color = vec![C::White; n];
    // The children of every node on the stack, stacked in one buffer: a
    // frame owns `kids[start..end]` and truncates it when it completes.
    let mut kids: Vec<usize> = Vec::new();
    let mut stack: Vec<(usize, usize, usize)> = Vec::new();
    for root in 0..n {
        if color[root] != C::White {
            continue;
        }
        color[root] = C::Grey;
        children(root, &mut kids);
        stack.push((root, 0, kids.len()));
        while let Some((node, next, end)) = stack.last_mut() {
            if *next < *end {
                let k = kids[*next];
                *next += 1;
                match color.get(k) {
                    Some(C::White) => {
                        color[k] = C::Grey;
                        let start = kids.len();
                        children(k, &mut kids);
                        stack.push((k, start, kids.len()));
                    }
                    Some(C::Grey) => back_edge(k),
                    _ => {}
                }
            } else {
                let node = *node;
                color[node] = C::Black;
                finish(node);
                stack.pop();
                // This frame's children sit at the end of the buffer.
                let start = stack.last().map_or(0, |f| f.2);
                kids.truncate(start);
            }
        }
    }
}
