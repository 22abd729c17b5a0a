//! The TYPE_BLOCK_ID_NEW block: the type table.

use air_ir::types::{StructBody, Type};
use air_ir::TypeId;
use llvm_bitcode_schema::{BlockId, TypeCode};
use llvm_bitstream::{AbbrevOp, UNABBREV_RECORD};

use super::prepare::Prepared;
use super::{abbrev, chars_signed32, lit, Writer};
use crate::Result;

impl Writer<'_, '_> {
    pub(super) fn type_table(&mut self) -> Result<()> {
        use AbbrevOp::*;
        let bits = self.e.type_bits();
        self.s.enter_block(BlockId::Type.id(), 4);
        let ptr = self.s.define_abbrev(abbrev(vec![
            lit(TypeCode::Pointer),
            Fixed(bits),
            Literal(0),
        ]));
        let _opaque_ptr = self
            .s
            .define_abbrev(abbrev(vec![lit(TypeCode::OpaquePointer), Literal(0)]));
        let function = self.s.define_abbrev(abbrev(vec![
            lit(TypeCode::Function),
            Fixed(1),
            Array,
            Fixed(bits),
        ]));
        let struct_anon = self.s.define_abbrev(abbrev(vec![
            lit(TypeCode::StructAnon),
            Fixed(1),
            Array,
            Fixed(bits),
        ]));
        let struct_name =
            self.s
                .define_abbrev(abbrev(vec![lit(TypeCode::StructName), Array, Char6]));
        let struct_named = self.s.define_abbrev(abbrev(vec![
            lit(TypeCode::StructNamed),
            Fixed(1),
            Array,
            Fixed(bits),
        ]));
        let array = self
            .s
            .define_abbrev(abbrev(vec![lit(TypeCode::Array), Vbr(8), Fixed(bits)]));
        let count = self.e.types.len() as u64;
        self.s.emit_record(TypeCode::NumEntry.code(), &[count]);
        let p = self.p;
        let types = std::mem::take(&mut self.e.types);
        let result = self.type_records(
            p,
            &types,
            [ptr, function, struct_anon, struct_name, struct_named, array],
        );
        self.e.types = types;
        result?;
        self.s.exit_block();
        Ok(())
    }

    /// The type records of `type_table`, with its abbreviations.
    pub(super) fn type_records(
        &mut self,
        p: &Prepared<'_>,
        types: &[TypeId],
        abbrevs: [u32; 6],
    ) -> Result<()> {
        let [ptr, function, struct_anon, struct_name, struct_named, array] = abbrevs;
        for &ty in types {
            let t = p.canon.ty(ty, "type table")?;
            let mut ops = Vec::new();
            let mut ab = UNABBREV_RECORD;
            let code = match &t {
                Type::Void => TypeCode::Void,
                Type::Half => TypeCode::Half,
                Type::BFloat => TypeCode::BFloat,
                Type::Float => TypeCode::Float,
                Type::Double => TypeCode::Double,
                Type::Label => TypeCode::Label,
                Type::Metadata => TypeCode::Metadata,
                Type::Token => TypeCode::Token,
                Type::Int(w) => {
                    ops.push(u64::from(*w));
                    TypeCode::Integer
                }
                Type::Pointer { pointee, addrspace } => {
                    ops.push(self.type_id(*pointee)?);
                    ops.push(u64::from(*addrspace));
                    if *addrspace == 0 {
                        ab = ptr;
                    }
                    TypeCode::Pointer
                }
                Type::Function {
                    ret,
                    params,
                    varargs,
                } => {
                    ops.push(u64::from(*varargs));
                    ops.push(self.type_id(*ret)?);
                    for p in params {
                        ops.push(self.type_id(*p)?);
                    }
                    ab = function;
                    TypeCode::Function
                }
                Type::Struct { fields, packed } => {
                    ops.push(u64::from(*packed));
                    for f in fields {
                        ops.push(self.type_id(*f)?);
                    }
                    ab = struct_anon;
                    TypeCode::StructAnon
                }
                Type::Named(name) => {
                    let body = self.p.canon.types.struct_body(ty).cloned();
                    let code = match body {
                        Some(StructBody::Fields { fields, packed }) => {
                            ops.push(u64::from(packed));
                            for f in &fields {
                                ops.push(self.type_id(*f)?);
                            }
                            ab = struct_named;
                            TypeCode::StructNamed
                        }
                        _ => {
                            // LLVM pushes the packed flag before it knows
                            // the struct is opaque.
                            ops.push(0);
                            TypeCode::Opaque
                        }
                    };
                    if !name.is_empty() {
                        let name = chars_signed32(name.as_bytes());
                        self.string_record(TypeCode::StructName.code(), &name, struct_name);
                    }
                    code
                }
                Type::Array { len, elem } => {
                    ops.push(*len);
                    ops.push(self.type_id(*elem)?);
                    ab = array;
                    TypeCode::Array
                }
                Type::Vector { len, elem } => {
                    ops.push(u64::from(*len));
                    ops.push(self.type_id(*elem)?);
                    TypeCode::Vector
                }
            };
            self.s.emit_record_with_abbrev(ab, code.code(), &ops);
        }
        Ok(())
    }
}
