//! The PARAMATTR_GROUP and PARAMATTR blocks: attribute groups and the
//! attribute lists made of them.

use air_ir::attributes::Attribute;
use llvm_bitcode_schema::{BlockId, ParamattrCode, ParamattrGroupCode};

use super::{chars_signed64, Writer};
use crate::Result;

impl Writer<'_, '_> {
    pub(super) fn attribute_groups(&mut self) -> Result<()> {
        if self.e.attr_groups.is_empty() {
            return Ok(());
        }
        self.s.enter_block(BlockId::ParamattrGroup.id(), 3);
        let p = self.p;
        // One buffer for every group's record.
        let mut ops = Vec::new();
        for (i, &g) in self.e.attr_groups.iter().enumerate() {
            let (index, set) = p.attrs.groups[g as usize];
            let set = p.attrs.set(set);
            ops.clear();
            ops.extend([i as u64 + 1, u64::from(index)]);
            // Each attribute starts with its encoding: 0 enum, 1 integer,
            // 3 string key, 4 string key and value, 5 type attribute
            // without a type, 6 with one.
            for a in set {
                match a {
                    Attribute::Enum(k) => ops.extend([0, u64::from(k.bitcode_kind())]),
                    Attribute::Int(k, v) => ops.extend([1, u64::from(k.bitcode_kind()), *v]),
                    Attribute::String { key, value } => {
                        ops.push(if value.is_empty() { 3 } else { 4 });
                        ops.extend(chars_signed64(key.as_bytes()));
                        ops.push(0);
                        if !value.is_empty() {
                            ops.extend(chars_signed64(value.as_bytes()));
                            ops.push(0);
                        }
                    }
                    Attribute::Type(k, ty) => match ty {
                        Some(ty) => {
                            ops.extend([6, u64::from(k.bitcode_kind()), self.type_id(*ty)?])
                        }
                        None => ops.extend([5, u64::from(k.bitcode_kind())]),
                    },
                }
            }
            self.s.emit_record(ParamattrGroupCode::Entry.code(), &ops);
        }
        self.s.exit_block();
        Ok(())
    }

    pub(super) fn attribute_lists(&mut self) {
        if self.e.attr_lists.is_empty() {
            return;
        }
        self.s.enter_block(BlockId::Paramattr.id(), 3);
        let mut ops = Vec::new();
        for &list in &self.e.attr_lists {
            ops.clear();
            let groups = self.p.attrs.list_groups(list);
            ops.extend(groups.iter().map(|g| self.e.attr_group_id(*g)));
            self.s.emit_record(ParamattrCode::Entry.code(), &ops);
        }
        self.s.exit_block();
    }
}
