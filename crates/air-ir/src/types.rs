//! The type table: every type of a module lives here once, and is referred
//! to by a small `Copy` [`TypeId`].
//!
//! Structural types (integers, pointers, arrays, literal structs, function
//! types, ...) are interned: asking for the same shape twice gives the same
//! id, so type equality is id equality. Named structs are unique by name and
//! their body may be set after creation, which is what recursive types and
//! forward references in text need.

use std::hash::{Hash, Hasher};

use crate::fxhash::{FxHasher, HashMap, IdIndex};

/// Index of a type in a [`TypeTable`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub u32);

/// The shape of one type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// `void`.
    Void,
    /// `iN`, 1 ≤ N ≤ 2^23 − 1.
    Int(u32),
    /// `half` (IEEE binary16).
    Half,
    /// `bfloat`.
    BFloat,
    /// `float` (IEEE binary32).
    Float,
    /// `double` (IEEE binary64).
    Double,
    /// `label`, the type of basic blocks.
    Label,
    /// `metadata`.
    Metadata,
    /// `token`.
    Token,
    /// A typed pointer `T addrspace(N)*`.
    Pointer {
        /// The pointee type.
        pointee: TypeId,
        /// The address space (0 = thread, 1 = device, 2 = constant, 3 = threadgroup in AIR).
        addrspace: u32,
    },
    /// `[N x T]`.
    Array {
        /// Number of elements.
        len: u64,
        /// Element type.
        elem: TypeId,
    },
    /// `<N x T>`.
    Vector {
        /// Number of lanes.
        len: u32,
        /// Lane type.
        elem: TypeId,
    },
    /// A literal (anonymous) struct `{ T, ... }` or packed `<{ T, ... }>`.
    Struct {
        /// Field types.
        fields: Vec<TypeId>,
        /// Whether it is packed.
        packed: bool,
    },
    /// A named struct `%name`; its body lives in the table's named-struct data.
    Named(String),
    /// A function type `R (P, ...)`.
    Function {
        /// Return type.
        ret: TypeId,
        /// Parameter types.
        params: Vec<TypeId>,
        /// Whether it takes `...`.
        varargs: bool,
    },
}

impl Type {
    /// Calls `f` on every type id this shape names directly (pointee,
    /// element, fields, return and parameters), so a shape can be moved
    /// between tables by remapping its ids. Named structs name none: their
    /// body lives in the table.
    pub fn for_each_type_mut(&mut self, f: &mut dyn FnMut(&mut TypeId)) {
        match self {
            Type::Pointer { pointee, .. } => f(pointee),
            Type::Array { elem, .. } | Type::Vector { elem, .. } => f(elem),
            Type::Struct { fields, .. } => fields.iter_mut().for_each(f),
            Type::Function { ret, params, .. } => {
                f(ret);
                params.iter_mut().for_each(f);
            }
            Type::Void
            | Type::Int(_)
            | Type::Half
            | Type::BFloat
            | Type::Float
            | Type::Double
            | Type::Label
            | Type::Metadata
            | Type::Token
            | Type::Named(_) => {}
        }
    }
}

/// The interning hash of a shape. Written out by hand (not derived) so that
/// [`function_hash`] can hash a borrowed parameter slice identically.
fn shape_hash(t: &Type) -> u64 {
    let mut h = FxHasher::default();
    match t {
        Type::Function {
            ret,
            params,
            varargs,
        } => return function_hash(*ret, params, *varargs),
        Type::Void => h.write_u8(0),
        Type::Int(w) => {
            h.write_u8(1);
            h.write_u32(*w);
        }
        Type::Half => h.write_u8(2),
        Type::BFloat => h.write_u8(3),
        Type::Float => h.write_u8(4),
        Type::Double => h.write_u8(5),
        Type::Label => h.write_u8(6),
        Type::Metadata => h.write_u8(7),
        Type::Token => h.write_u8(8),
        Type::Pointer { pointee, addrspace } => {
            h.write_u8(9);
            h.write_u32(pointee.0);
            h.write_u32(*addrspace);
        }
        Type::Array { len, elem } => {
            h.write_u8(10);
            h.write_u64(*len);
            h.write_u32(elem.0);
        }
        Type::Vector { len, elem } => {
            h.write_u8(11);
            h.write_u32(*len);
            h.write_u32(elem.0);
        }
        Type::Struct { fields, packed } => {
            h.write_u8(12);
            fields.hash(&mut h);
            h.write_u8(u8::from(*packed));
        }
        Type::Named(n) => {
            h.write_u8(13);
            n.hash(&mut h);
        }
    }
    h.finish()
}

/// [`shape_hash`] of a function type, from its parts.
fn function_hash(ret: TypeId, params: &[TypeId], varargs: bool) -> u64 {
    let mut h = FxHasher::default();
    h.write_u8(14);
    h.write_u32(ret.0);
    params.hash(&mut h);
    h.write_u8(u8::from(varargs));
    h.finish()
}

/// The body of a named struct.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StructBody {
    /// `type opaque`, or not (yet) defined.
    Opaque,
    /// `type { ... }` / `type <{ ... }>`.
    Fields {
        /// Field types.
        fields: Vec<TypeId>,
        /// Whether it is packed.
        packed: bool,
    },
}

/// All types of a module, interned.
#[derive(Clone, Debug, Default)]
pub struct TypeTable {
    types: Vec<Type>,
    /// Shape hash → ids; `types` holds the only copy of each shape.
    lookup: IdIndex,
    bodies: HashMap<TypeId, StructBody>,
    /// Named structs in creation order (the order the printer lists them in).
    named_order: Vec<TypeId>,
}

impl PartialEq for TypeTable {
    fn eq(&self, other: &Self) -> bool {
        // Lookup is derived from `types`; comparing it again adds nothing.
        self.types == other.types
            && self.bodies == other.bodies
            && self.named_order == other.named_order
    }
}

impl Eq for TypeTable {}

impl TypeTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Interns `ty` and returns its id. For [`Type::Named`] a new named struct
    /// starts out opaque.
    pub fn intern(&mut self, ty: Type) -> TypeId {
        let hash = shape_hash(&ty);
        if let Some(id) = self.find_hashed(hash, &ty) {
            return id;
        }
        self.push_new(hash, ty)
    }

    fn find_hashed(&self, hash: u64, ty: &Type) -> Option<TypeId> {
        let types = &self.types;
        self.lookup
            .find(hash, |id| types[id as usize] == *ty)
            .map(TypeId)
    }

    /// Appends a shape known not to be in the table yet.
    fn push_new(&mut self, hash: u64, ty: Type) -> TypeId {
        let id = TypeId(self.types.len() as u32);
        if let Type::Named(_) = &ty {
            self.bodies.insert(id, StructBody::Opaque);
            self.named_order.push(id);
        }
        self.types.push(ty);
        self.lookup.insert(hash, id.0);
        id
    }

    /// Looks a type up without creating it.
    pub fn find(&self, ty: &Type) -> Option<TypeId> {
        self.find_hashed(shape_hash(ty), ty)
    }

    /// The shape of `id`.
    ///
    /// # Panics
    /// If `id` does not belong to this table.
    pub fn get(&self, id: TypeId) -> &Type {
        &self.types[id.0 as usize]
    }

    /// The shape of `id`, or `None` if it is not an id of this table.
    pub fn try_get(&self, id: TypeId) -> Option<&Type> {
        self.types.get(id.0 as usize)
    }

    /// Number of types.
    pub fn len(&self) -> usize {
        self.types.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }

    /// All ids in creation order.
    pub fn ids(&self) -> impl Iterator<Item = TypeId> + '_ {
        (0..self.types.len() as u32).map(TypeId)
    }

    /// Named structs in creation order.
    pub fn named_structs(&self) -> &[TypeId] {
        &self.named_order
    }

    /// The body of a named struct (`None` for other types).
    pub fn struct_body(&self, id: TypeId) -> Option<&StructBody> {
        self.bodies.get(&id)
    }

    /// Sets the body of the named struct `id`.
    pub fn set_struct_body(&mut self, id: TypeId, body: StructBody) {
        if self.bodies.contains_key(&id) {
            self.bodies.insert(id, body);
        }
    }

    // Convenience constructors; each interns and returns the id.

    /// `void`.
    pub fn void(&mut self) -> TypeId {
        self.intern(Type::Void)
    }
    /// `iN`.
    pub fn int(&mut self, bits: u32) -> TypeId {
        self.intern(Type::Int(bits))
    }
    /// `i1`.
    pub fn i1(&mut self) -> TypeId {
        self.int(1)
    }
    /// `i8`.
    pub fn i8(&mut self) -> TypeId {
        self.int(8)
    }
    /// `i16`.
    pub fn i16(&mut self) -> TypeId {
        self.int(16)
    }
    /// `i32`.
    pub fn i32(&mut self) -> TypeId {
        self.int(32)
    }
    /// `i64`.
    pub fn i64(&mut self) -> TypeId {
        self.int(64)
    }
    /// `half`.
    pub fn half(&mut self) -> TypeId {
        self.intern(Type::Half)
    }
    /// `float`.
    pub fn float(&mut self) -> TypeId {
        self.intern(Type::Float)
    }
    /// `double`.
    pub fn double(&mut self) -> TypeId {
        self.intern(Type::Double)
    }
    /// `label`.
    pub fn label(&mut self) -> TypeId {
        self.intern(Type::Label)
    }
    /// `metadata`.
    pub fn metadata(&mut self) -> TypeId {
        self.intern(Type::Metadata)
    }
    /// `T addrspace(N)*`.
    pub fn ptr(&mut self, pointee: TypeId, addrspace: u32) -> TypeId {
        self.intern(Type::Pointer { pointee, addrspace })
    }
    /// `[N x T]`.
    pub fn array(&mut self, elem: TypeId, len: u64) -> TypeId {
        self.intern(Type::Array { len, elem })
    }
    /// `<N x T>`.
    pub fn vector(&mut self, elem: TypeId, len: u32) -> TypeId {
        self.intern(Type::Vector { len, elem })
    }
    /// A literal struct.
    pub fn struct_(&mut self, fields: Vec<TypeId>, packed: bool) -> TypeId {
        self.intern(Type::Struct { fields, packed })
    }
    /// The result type of a `cmpxchg` on values of type `value`:
    /// `{ value, i1 }` (the old value and whether it was replaced).
    pub fn cmpxchg_result(&mut self, value: TypeId) -> TypeId {
        let i1 = self.i1();
        self.struct_(vec![value, i1], false)
    }
    /// A named struct (opaque until [`TypeTable::set_struct_body`]).
    pub fn named(&mut self, name: &str) -> TypeId {
        self.intern(Type::Named(name.to_string()))
    }
    /// A function type.
    pub fn function(&mut self, ret: TypeId, params: Vec<TypeId>, varargs: bool) -> TypeId {
        self.intern(Type::Function {
            ret,
            params,
            varargs,
        })
    }
    /// A function type from borrowed parameter types; allocates only when
    /// the type is new (the parser asks for a call's implied type per call).
    pub fn function_from_slice(&mut self, ret: TypeId, params: &[TypeId], varargs: bool) -> TypeId {
        let hash = function_hash(ret, params, varargs);
        let types = &self.types;
        let found = self.lookup.find(hash, |id| {
            matches!(&types[id as usize], Type::Function { ret: r, params: p, varargs: v }
                if *r == ret && p.as_slice() == params && *v == varargs)
        });
        match found {
            Some(id) => TypeId(id),
            None => self.push_new(
                hash,
                Type::Function {
                    ret,
                    params: params.to_vec(),
                    varargs,
                },
            ),
        }
    }

    // Queries.

    /// Whether `id` is an integer type; returns its width.
    pub fn int_width(&self, id: TypeId) -> Option<u32> {
        match self.get(id) {
            Type::Int(w) => Some(*w),
            _ => None,
        }
    }

    /// Whether `id` is `half`, `bfloat`, `float` or `double`.
    pub fn is_float(&self, id: TypeId) -> bool {
        matches!(
            self.get(id),
            Type::Half | Type::BFloat | Type::Float | Type::Double
        )
    }

    /// Bit width of a floating-point type.
    pub fn float_width(&self, id: TypeId) -> Option<u32> {
        match self.get(id) {
            Type::Half | Type::BFloat => Some(16),
            Type::Float => Some(32),
            Type::Double => Some(64),
            _ => None,
        }
    }

    /// Whether `id` is a pointer.
    pub fn is_pointer(&self, id: TypeId) -> bool {
        matches!(self.get(id), Type::Pointer { .. })
    }

    /// Pointee and address space of a pointer type.
    pub fn pointer_parts(&self, id: TypeId) -> Option<(TypeId, u32)> {
        match self.get(id) {
            Type::Pointer { pointee, addrspace } => Some((*pointee, *addrspace)),
            _ => None,
        }
    }

    /// Lane count and element type of a vector.
    pub fn vector_parts(&self, id: TypeId) -> Option<(u32, TypeId)> {
        match self.get(id) {
            Type::Vector { len, elem } => Some((*len, *elem)),
            _ => None,
        }
    }

    /// The scalar type of a vector, or the type itself.
    pub fn scalar(&self, id: TypeId) -> TypeId {
        match self.get(id) {
            Type::Vector { elem, .. } => *elem,
            _ => id,
        }
    }

    /// Return type, parameter types and varargs flag of a function type.
    pub fn function_parts(&self, id: TypeId) -> Option<(TypeId, &[TypeId], bool)> {
        match self.get(id) {
            Type::Function {
                ret,
                params,
                varargs,
            } => Some((*ret, params, *varargs)),
            _ => None,
        }
    }

    /// Whether values of this type can be the operand of an instruction (not
    /// void, label, metadata or function).
    pub fn is_first_class(&self, id: TypeId) -> bool {
        !matches!(
            self.get(id),
            Type::Void | Type::Function { .. } | Type::Label | Type::Metadata
        )
    }

    /// Whether this is an aggregate (array or struct, literal or named).
    pub fn is_aggregate(&self, id: TypeId) -> bool {
        matches!(
            self.get(id),
            Type::Array { .. } | Type::Struct { .. } | Type::Named(_)
        )
    }

    /// Whether the type has a known size (opaque structs, void, functions,
    /// labels, metadata and tokens do not, nor does a struct that contains
    /// itself by value).
    ///
    /// Walks the type with its own stack, visiting each part once, so any
    /// depth and any sharing of parts takes time linear in the type.
    pub fn is_sized(&self, id: TypeId) -> bool {
        // Grey: on the path being walked; black: walked and sized.
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            Grey,
            Black,
        }
        let mut marks: HashMap<TypeId, Mark> = HashMap::default();
        // (type, index of the next part to visit)
        let mut stack = vec![(id, 0usize)];
        marks.insert(id, Mark::Grey);
        while let Some(&mut (ty, ref mut next)) = stack.last_mut() {
            let parts: &[TypeId] = match self.try_get(ty) {
                None
                | Some(
                    Type::Void | Type::Label | Type::Metadata | Type::Token | Type::Function { .. },
                ) => return false,
                Some(
                    Type::Int(_)
                    | Type::Half
                    | Type::BFloat
                    | Type::Float
                    | Type::Double
                    | Type::Pointer { .. },
                ) => &[],
                Some(Type::Array { elem, .. } | Type::Vector { elem, .. }) => {
                    std::slice::from_ref(elem)
                }
                Some(Type::Struct { fields, .. }) => fields,
                Some(Type::Named(_)) => match self.struct_body(ty) {
                    Some(StructBody::Fields { fields, .. }) => fields,
                    _ => return false,
                },
            };
            if let Some(&part) = parts.get(*next) {
                *next += 1;
                match marks.get(&part) {
                    // Contains itself by value.
                    Some(Mark::Grey) => return false,
                    Some(Mark::Black) => {}
                    None => {
                        marks.insert(part, Mark::Grey);
                        stack.push((part, 0));
                    }
                }
            } else {
                marks.insert(ty, Mark::Black);
                stack.pop();
            }
        }
        true
    }

    /// Field types of a struct (literal or named with a body).
    pub fn struct_fields(&self, id: TypeId) -> Option<&[TypeId]> {
        match self.get(id) {
            Type::Struct { fields, .. } => Some(fields),
            Type::Named(_) => match self.struct_body(id) {
                Some(StructBody::Fields { fields, .. }) => Some(fields),
                _ => None,
            },
            _ => None,
        }
    }

    /// The type reached by indexing into an aggregate or vector with a
    /// constant index `index` (struct fields need it; arrays and vectors
    /// ignore it).
    pub fn indexed_type(&self, id: TypeId, index: u64) -> Option<TypeId> {
        match self.get(id) {
            Type::Array { elem, .. } | Type::Vector { elem, .. } => Some(*elem),
            Type::Struct { .. } | Type::Named(_) => {
                self.struct_fields(id)?.get(index as usize).copied()
            }
            _ => None,
        }
    }

    /// Whether the type is a vector of or a scalar integer.
    pub fn is_int_or_int_vector(&self, id: TypeId) -> bool {
        self.int_width(self.scalar(id)).is_some()
    }

    /// Whether the type is a vector of or a scalar float.
    pub fn is_float_or_float_vector(&self, id: TypeId) -> bool {
        self.is_float(self.scalar(id))
    }

    /// Whether the type is a vector of or a scalar pointer.
    pub fn is_ptr_or_ptr_vector(&self, id: TypeId) -> bool {
        self.is_pointer(self.scalar(id))
    }

    /// Bit size of a primitive type (integers, floats, pointers) or a vector of
    /// them; pointers count as 64 bits, as AIR's datalayout says.
    pub fn primitive_bits(&self, id: TypeId) -> Option<u64> {
        match self.get(id) {
            Type::Int(w) => Some(u64::from(*w)),
            Type::Half | Type::BFloat => Some(16),
            Type::Float => Some(32),
            Type::Double => Some(64),
            Type::Pointer { .. } => Some(64),
            Type::Vector { len, elem } => self
                .primitive_bits(*elem)
                .map(|b| b.saturating_mul(u64::from(*len))),
            _ => None,
        }
    }
}
