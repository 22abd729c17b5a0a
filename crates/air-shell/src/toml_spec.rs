//! Reading a [`Spec`] from TOML.
//!
//! serde reads the file into the `Raw*` structs below (every value wrapped
//! in `toml::Spanned` so each can be traced back to its line), then
//! `convert` turns them into the model, reporting every bad value with its
//! position. Cross-references (unknown names, sizes, hazards) are checked
//! later by validation, on the model, so Rust-built specs get the same
//! checks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, LineIndex, Pos, Reporter, Result};
use crate::limits::MAX_LOOP_DEPTH;
use crate::spec::{
    BarrierMemory, BodyMode, Buffer, Call, Constant, Copy, CopyForm, Dim, Fallback, Fill, Function,
    Let, Literal, Loop, Private, Region, Scalar, Spec, Step, StepKind, SystemValue, Text,
    Threadgroup, SCHEMA_VERSIONS,
};
use crate::types::{spec_system_value, spec_system_value_names, Access, ElemType, SystemValueType};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    schema: Spanned<toml::Value>,
    kernel: Spanned<String>,
    module: Option<Spanned<String>>,
    target: Spanned<String>,
    threadgroup_size: Option<Spanned<toml::Value>>,
    body: Option<Spanned<String>>,
    fallback: Option<Spanned<String>>,
    copy_form: Option<Spanned<String>>,
    constants: Option<Spanned<toml::Table>>,
    #[serde(rename = "let")]
    lets: Option<Spanned<BTreeMap<String, Spanned<toml::Value>>>>,
    requires: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    private: Vec<Spanned<RawPrivate>>,
    #[serde(default)]
    buffer: Vec<Spanned<RawBuffer>>,
    #[serde(default)]
    scalar: Vec<Spanned<RawScalar>>,
    #[serde(default)]
    system_value: Vec<Spanned<RawSystemValue>>,
    threadgroup: Option<Spanned<RawThreadgroup>>,
    #[serde(default)]
    function: Vec<Spanned<RawFunction>>,
    #[serde(default)]
    step: Vec<Spanned<RawStep>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBuffer {
    name: Spanned<String>,
    element: Spanned<String>,
    access: Spanned<String>,
    index: Spanned<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScalar {
    name: Spanned<String>,
    #[serde(rename = "type")]
    ty: Spanned<String>,
    index: Spanned<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSystemValue {
    name: Spanned<String>,
    value: Spanned<String>,
    #[serde(rename = "type")]
    ty: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThreadgroup {
    name: Option<Spanned<String>>,
    bytes: Option<Spanned<toml::Value>>,
    #[serde(default)]
    region: Vec<Spanned<RawRegion>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegion {
    name: Spanned<String>,
    element: Spanned<String>,
    count: Spanned<toml::Value>,
    offset: Option<Spanned<toml::Value>>,
    align: Option<Spanned<toml::Value>>,
    buffers: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrivate {
    name: Spanned<String>,
    element: Spanned<String>,
    count: Spanned<toml::Value>,
    fill: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFunction {
    name: Spanned<String>,
    #[serde(default)]
    params: Vec<Spanned<String>>,
    inline: Option<Spanned<String>>,
    msl: Option<Spanned<String>>,
}

/// Every field any step kind takes; `convert_step` checks which belong to
/// the step's kind, so a misplaced field is an error, not silently ignored.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    kind: Spanned<String>,
    // copy
    from: Option<Spanned<String>>,
    to: Option<Spanned<String>>,
    tile: Option<Spanned<toml::Value>>,
    dst_tile: Option<Spanned<toml::Value>>,
    fill: Option<Spanned<String>>,
    src_pitch: Option<Spanned<toml::Value>>,
    dst_pitch: Option<Spanned<toml::Value>>,
    src_offset: Option<Spanned<toml::Value>>,
    dst_offset: Option<Spanned<toml::Value>>,
    form: Option<Spanned<String>>,
    // barrier
    memory: Option<Spanned<String>>,
    // call
    function: Option<Spanned<String>>,
    args: Option<Vec<Spanned<String>>>,
    returns: Option<Spanned<String>>,
    store: Option<Spanned<String>>,
    // every kind but loop (schema 2)
    when: Option<Spanned<String>>,
    // wait (schema 2)
    #[serde(rename = "for")]
    wait_for: Option<Spanned<Vec<Spanned<String>>>>,
    // loop (schema 2)
    var: Option<Spanned<String>>,
    count: Option<Spanned<toml::Value>>,
    body: Option<Spanned<Vec<Spanned<RawStep>>>>,
}

impl Spec {
    /// Reads a spec from TOML text. `name` labels diagnostics; `base_dir`
    /// is where relative inline-body paths are resolved.
    ///
    /// # Errors
    /// [`Error::Spec`] with every malformed value, each naming its line.
    /// Cross-reference rules are checked later, by [`crate::generate`].
    pub fn from_toml(text: &str, name: &str, base_dir: Option<&Path>) -> Result<Spec> {
        let mut r = Reporter::new(name, Some(text));
        let lines = LineIndex::new(text);
        let raw: RawSpec = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                let pos = e.span().map(|s| lines.pos(text, s.start));
                r.error(pos, toml_message(&e));
                return Err(Error::Spec(r.diags));
            }
        };
        let spec = convert(raw, text, &lines, &mut r);
        r.finish()?;
        let mut spec = spec;
        spec.source_name = name.to_string();
        spec.source = Some(text.to_string());
        spec.base_dir = base_dir.map(Path::to_path_buf);
        Ok(spec)
    }

    /// Reads a spec file; inline bodies are resolved next to it.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be read, else as [`Spec::from_toml`].
    pub fn from_file(path: &Path) -> Result<Spec> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Spec::from_toml(&text, &path.display().to_string(), Some(&dir))
    }
}

/// The toml error's message without its own position rendering (the
/// diagnostic adds ours), lowercased like every other message.
fn toml_message(e: &toml::de::Error) -> String {
    let m = e.message().trim().trim_end_matches('.');
    let mut chars = m.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => "malformed TOML".to_string(),
    }
}

struct Conv<'a, 'r> {
    src: &'a str,
    lines: &'r LineIndex,
    r: &'r mut Reporter<'a>,
}

impl Conv<'_, '_> {
    fn pos<T>(&self, s: &Spanned<T>) -> Option<Pos> {
        Some(self.lines.pos(self.src, s.span().start))
    }

    /// Position of the first character inside a quoted string value, so
    /// expression columns line up with the text.
    fn inner_pos(&self, s: &Spanned<String>) -> Option<Pos> {
        let start = s.span().start;
        let skip = match self.src.as_bytes().get(start) {
            Some(b'"') | Some(b'\'') => 1,
            _ => 0,
        };
        Some(self.lines.pos(self.src, start + skip))
    }

    fn text(&self, s: &Spanned<String>) -> Text {
        Text {
            text: s.get_ref().clone(),
            at: self.inner_pos(s),
        }
    }

    fn uint(&mut self, v: &Spanned<toml::Value>, what: &str) -> Option<u64> {
        match v.get_ref() {
            toml::Value::Integer(i) if *i >= 0 => Some(*i as u64),
            toml::Value::Integer(i) => {
                self.r.error(
                    self.pos(v),
                    format!("{what} must not be negative (found {i})"),
                );
                None
            }
            other => {
                self.r.error(
                    self.pos(v),
                    format!("{what} must be an integer, found {}", other.type_str()),
                );
                None
            }
        }
    }

    fn u32(&mut self, v: &Spanned<toml::Value>, what: &str) -> Option<u32> {
        let n = self.uint(v, what)?;
        match u32::try_from(n) {
            Ok(n) => Some(n),
            Err(_) => {
                self.r
                    .error(self.pos(v), format!("{what} {n} is too large"));
                None
            }
        }
    }

    fn elem(&mut self, v: &Spanned<String>) -> Option<ElemType> {
        let t = ElemType::from_msl(v.get_ref());
        if t.is_none() {
            self.r.error(
                self.pos(v),
                format!(
                    "unknown element type `{}` (expected one of {})",
                    v.get_ref(),
                    ElemType::names()
                ),
            );
        }
        t
    }

    fn keyword<T>(
        &mut self,
        v: &Spanned<String>,
        what: &str,
        expected: &str,
        lookup: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let t = lookup(v.get_ref());
        if t.is_none() {
            self.r.error(
                self.pos(v),
                format!("unknown {what} `{}` (expected {expected})", v.get_ref()),
            );
        }
        t
    }

    /// A `[w, h]` (or `[w]`) tile; entries are positive integers or
    /// (schema 2) expression strings.
    fn tile(&mut self, v: &Spanned<toml::Value>, what: &str) -> Option<[Dim; 2]> {
        let toml::Value::Array(items) = v.get_ref() else {
            self.r.error(
                self.pos(v),
                format!("{what} must be an array [width, height]"),
            );
            return None;
        };
        if items.is_empty() || items.len() > 2 {
            self.r.error(
                self.pos(v),
                format!(
                    "{what} must have 1 or 2 entries [width, height], found {}",
                    items.len()
                ),
            );
            return None;
        }
        let mut out = [Dim::Const(1), Dim::Const(1)];
        for (slot, item) in out.iter_mut().zip(items) {
            match item {
                toml::Value::Integer(i) if *i > 0 => *slot = Dim::Const(*i as u64),
                toml::Value::String(text) => {
                    *slot = Dim::Expr(Text {
                        text: text.clone(),
                        at: self.string_in(v, text),
                    })
                }
                _ => {
                    self.r.error(
                        self.pos(v),
                        format!("{what} entries must be positive integers or expression strings"),
                    );
                    return None;
                }
            }
        }
        Some(out)
    }

    /// Where the string `text` starts inside the value `v` (array entries
    /// carry no span of their own): its first quoted occurrence, else `v`.
    fn string_in(&self, v: &Spanned<toml::Value>, text: &str) -> Option<Pos> {
        let span = v.span();
        let inside = self.src.get(span.start..span.end).unwrap_or("");
        for quote in ['"', '\''] {
            let needle = format!("{quote}{text}{quote}");
            if let Some(i) = inside.find(&needle) {
                return Some(self.lines.pos(self.src, span.start + i + 1));
            }
        }
        self.pos(v)
    }

    /// A pitch: a non-negative integer or (schema 2) an expression string.
    fn dim(&mut self, v: &Spanned<toml::Value>, what: &str) -> Option<Dim> {
        match v.get_ref() {
            toml::Value::String(_) => self.expr(v, what).map(Dim::Expr),
            _ => self.uint(v, what).map(Dim::Const),
        }
    }

    /// An offset: an integer or an expression string.
    fn expr(&mut self, v: &Spanned<toml::Value>, what: &str) -> Option<Text> {
        let at = self.pos(v);
        match v.get_ref() {
            toml::Value::Integer(i) => Some(Text {
                text: i.to_string(),
                at,
            }),
            toml::Value::String(s) => {
                let skip = usize::from(matches!(
                    self.src.as_bytes().get(v.span().start),
                    Some(b'"') | Some(b'\'')
                ));
                Some(Text {
                    text: s.clone(),
                    at: Some(self.lines.pos(self.src, v.span().start + skip)),
                })
            }
            other => {
                self.r.error(
                    at,
                    format!(
                        "{what} must be an integer or an expression string, found {}",
                        other.type_str()
                    ),
                );
                None
            }
        }
    }
}

fn convert<'a>(raw: RawSpec, src: &'a str, lines: &LineIndex, r: &mut Reporter<'a>) -> Spec {
    let mut c = Conv { src, lines, r };
    let mut spec = Spec::new(raw.kernel.get_ref().clone(), raw.target.get_ref().clone());
    spec.kernel_at = c.pos(&raw.kernel);
    spec.target_at = c.pos(&raw.target);

    match raw.schema.get_ref() {
        toml::Value::Integer(v) if SCHEMA_VERSIONS.iter().any(|s| i64::from(*s) == *v) => {
            spec.schema = *v as u32;
            spec.schema_at = c.pos(&raw.schema);
        }
        other => c.r.error(
            c.pos(&raw.schema),
            format!("unsupported schema {other} (this airlink reads schemas 1 and 2)"),
        ),
    }
    spec.module = raw.module.map(Spanned::into_inner);
    if let Some(v) = &raw.threadgroup_size {
        spec.threadgroup_size_at = c.pos(v);
        match v.get_ref() {
            toml::Value::Integer(_) => {
                if let Some(n) = c.u32(v, "threadgroup_size") {
                    spec.threadgroup_size = [n, 1, 1];
                }
            }
            toml::Value::Array(items) if (1..=3).contains(&items.len()) => {
                let mut size = [1u32; 3];
                for (slot, item) in size.iter_mut().zip(items) {
                    match item.as_integer().and_then(|i| u32::try_from(i).ok()) {
                        Some(n) => *slot = n,
                        None => c.r.error(
                            c.pos(v),
                            "threadgroup_size entries must be non-negative integers",
                        ),
                    }
                }
                spec.threadgroup_size = size;
            }
            _ => c.r.error(
                c.pos(v),
                "threadgroup_size must be an integer or an array [x, y, z]",
            ),
        }
    }
    if let Some(v) = &raw.body {
        if let Some(m) = c.keyword(v, "body mode", "visible or inline", BodyMode::from_name) {
            spec.body = m;
        }
    }
    if let Some(v) = &raw.fallback {
        if let Some(m) = c.keyword(v, "fallback", "none or cooperative", Fallback::from_name) {
            spec.fallback = m;
        }
    }
    if let Some(v) = &raw.copy_form {
        spec.copy_form_at = c.pos(v);
        if let Some(m) = c.keyword(v, "copy form", "2d or 1d", CopyForm::from_name) {
            spec.copy_form = m;
        }
    }
    if let Some(t) = &raw.constants {
        for (name, value) in t.get_ref() {
            match value.as_integer() {
                Some(v) => spec.constants.push(Constant {
                    name: name.clone(),
                    value: v,
                    at: c.pos(t),
                }),
                None => c.r.error(
                    c.pos(t),
                    format!(
                        "constant `{name}` must be an integer, found {}",
                        value.type_str()
                    ),
                ),
            }
        }
    }
    if let Some(lets) = &raw.lets {
        // Declaration order (the map is sorted by name): by position.
        let mut items: Vec<(&String, &Spanned<toml::Value>)> = lets.get_ref().iter().collect();
        items.sort_by_key(|(_, v)| v.span().start);
        for (name, value) in items {
            if let Some(text) = c.expr(value, &format!("let `{name}`")) {
                spec.lets.push(Let {
                    name: name.clone(),
                    value: text,
                });
            }
        }
        spec.lets_at = c.pos(lets);
    }
    for cond in raw.requires.iter().flatten() {
        spec.requires.push(c.text(cond));
    }
    for p in &raw.private {
        let at = c.pos(p);
        let p = p.get_ref();
        let element = c.elem(&p.element);
        let count = c.uint(&p.count, "private count");
        let fill = match p.fill.as_ref().map(|f| (f, f.get_ref())) {
            None => Some(None),
            Some((_, toml::Value::Integer(i))) => Some(Some(Literal::Int(*i))),
            Some((_, toml::Value::Float(x))) => Some(Some(Literal::float(*x))),
            Some((f, other)) => {
                c.r.error(
                    c.pos(f),
                    format!(
                        "private `fill` must be an integer or a float (inf, -inf and nan are TOML floats), found {}",
                        other.type_str()
                    ),
                );
                None
            }
        };
        if let (Some(element), Some(count), Some(fill)) = (element, count, fill) {
            spec.privates.push(Private {
                name: p.name.get_ref().clone(),
                element,
                count,
                fill,
                at,
            });
        }
    }
    for b in &raw.buffer {
        let at = c.pos(b);
        let b = b.get_ref();
        let element = c.elem(&b.element);
        let access = c.keyword(
            &b.access,
            "access",
            "read, write or read_write",
            Access::from_name,
        );
        let index = c.u32(&b.index, "buffer index");
        if let (Some(element), Some(access), Some(index)) = (element, access, index) {
            spec.buffers.push(Buffer {
                name: b.name.get_ref().clone(),
                element,
                access,
                index,
                at,
            });
        }
    }
    for s in &raw.scalar {
        let at = c.pos(s);
        let s = s.get_ref();
        let ty = c.elem(&s.ty);
        let index = c.u32(&s.index, "scalar index");
        if let (Some(ty), Some(index)) = (ty, index) {
            spec.scalars.push(Scalar {
                name: s.name.get_ref().clone(),
                ty,
                index,
                at,
            });
        }
    }
    for v in &raw.system_value {
        let at = c.pos(v);
        let v = v.get_ref();
        let names = spec_system_value_names();
        let kind = c.keyword(
            &v.value,
            "system value",
            &format!("one of {names}"),
            spec_system_value,
        );
        let ty = match &v.ty {
            Some(t) => c.keyword(
                t,
                "system value type",
                "uint or ushort",
                SystemValueType::from_msl,
            ),
            None => Some(SystemValueType::UInt),
        };
        if let (Some(kind), Some(ty)) = (kind, ty) {
            spec.system_values.push(SystemValue {
                name: v.name.get_ref().clone(),
                kind,
                ty,
                at,
            });
        }
    }
    if let Some(tg) = &raw.threadgroup {
        let at = c.pos(tg);
        let tg = tg.get_ref();
        let mut out = Threadgroup {
            at,
            ..Threadgroup::default()
        };
        if let Some(n) = &tg.name {
            out.name = n.get_ref().clone();
        }
        out.bytes = tg
            .bytes
            .as_ref()
            .and_then(|b| c.uint(b, "threadgroup bytes"));
        for reg in &tg.region {
            let at = c.pos(reg);
            let reg = reg.get_ref();
            let element = c.elem(&reg.element);
            let count = c.uint(&reg.count, "region count");
            let offset = reg.offset.as_ref().and_then(|o| c.uint(o, "region offset"));
            let align = reg.align.as_ref().and_then(|a| c.uint(a, "region align"));
            let buffers = match &reg.buffers {
                Some(b) => c.uint(b, "region buffers"),
                None => Some(1),
            };
            if let (Some(element), Some(count), Some(buffers)) = (element, count, buffers) {
                out.regions.push(Region {
                    name: reg.name.get_ref().clone(),
                    element,
                    count,
                    offset,
                    align,
                    buffers,
                    at,
                });
            }
        }
        spec.threadgroup = out;
    }
    for f in &raw.function {
        let at = c.pos(f);
        let f = f.get_ref();
        spec.functions.push(Function {
            name: f.name.get_ref().clone(),
            params: f.params.iter().map(|p| p.get_ref().clone()).collect(),
            inline: f.inline.as_ref().map(|p| PathBuf::from(p.get_ref())),
            msl: f.msl.as_ref().map(|p| PathBuf::from(p.get_ref())),
            at,
        });
    }
    spec.steps = convert_steps(&mut c, &raw.step, 0);
    spec
}

fn convert_steps(c: &mut Conv<'_, '_>, raw: &[Spanned<RawStep>], depth: usize) -> Vec<Step> {
    raw.iter()
        .filter_map(|s| convert_step(c, s, depth))
        .collect()
}

fn convert_step(c: &mut Conv<'_, '_>, s: &Spanned<RawStep>, depth: usize) -> Option<Step> {
    let at = c.pos(s);
    let s = s.get_ref();
    // Which optional fields each kind takes; anything else is reported.
    let present: [(&str, Option<Pos>); 20] = [
        ("from", s.from.as_ref().and_then(|v| c.pos(v))),
        ("to", s.to.as_ref().and_then(|v| c.pos(v))),
        ("tile", s.tile.as_ref().and_then(|v| c.pos(v))),
        ("dst_tile", s.dst_tile.as_ref().and_then(|v| c.pos(v))),
        ("fill", s.fill.as_ref().and_then(|v| c.pos(v))),
        ("src_pitch", s.src_pitch.as_ref().and_then(|v| c.pos(v))),
        ("dst_pitch", s.dst_pitch.as_ref().and_then(|v| c.pos(v))),
        ("src_offset", s.src_offset.as_ref().and_then(|v| c.pos(v))),
        ("dst_offset", s.dst_offset.as_ref().and_then(|v| c.pos(v))),
        ("form", s.form.as_ref().and_then(|v| c.pos(v))),
        ("memory", s.memory.as_ref().and_then(|v| c.pos(v))),
        ("function", s.function.as_ref().and_then(|v| c.pos(v))),
        ("args", s.args.as_ref().and(at)),
        ("returns", s.returns.as_ref().and_then(|v| c.pos(v))),
        ("store", s.store.as_ref().and_then(|v| c.pos(v))),
        ("when", s.when.as_ref().and_then(|v| c.pos(v))),
        ("for", s.wait_for.as_ref().and_then(|v| c.pos(v))),
        ("var", s.var.as_ref().and_then(|v| c.pos(v))),
        ("count", s.count.as_ref().and_then(|v| c.pos(v))),
        ("body", s.body.as_ref().and_then(|v| c.pos(v))),
    ];
    let kind_name = s.kind.get_ref().as_str();
    let allowed: &[&str] = match kind_name {
        "copy" => &[
            "from",
            "to",
            "tile",
            "dst_tile",
            "fill",
            "src_pitch",
            "dst_pitch",
            "src_offset",
            "dst_offset",
            "form",
            "when",
        ],
        "wait" => &["for", "when"],
        "barrier" => &["memory", "when"],
        "call" => &["function", "args", "returns", "store", "when"],
        "loop" => &["var", "count", "body"],
        other => {
            c.r.error(
                c.pos(&s.kind),
                format!("unknown step kind `{other}` (expected copy, wait, barrier, call or loop)"),
            );
            return None;
        }
    };
    let mut ok = true;
    for (field, pos) in present {
        if pos.is_some() && !allowed.contains(&field) {
            c.r.error(
                pos,
                format!("`{field}` is not a field of a `{kind_name}` step"),
            );
            ok = false;
        }
    }
    let kind = match kind_name {
        "copy" => {
            let (Some(from), Some(to), Some(tile)) = (&s.from, &s.to, &s.tile) else {
                c.r.error(at, "a copy step needs `from`, `to` and `tile`");
                return None;
            };
            let mut copy = Copy::new(from.get_ref().clone(), to.get_ref().clone(), [1, 1]);
            copy.tile = c.tile(tile, "tile")?;
            if let Some(t) = &s.dst_tile {
                copy.dst_tile = Some(c.tile(t, "dst_tile")?);
            }
            if let Some(f) = &s.fill {
                copy.fill = c.keyword(f, "fill mode", "zero or edge", Fill::from_name)?;
            }
            if let Some(p) = &s.src_pitch {
                copy.src_pitch = Some(c.dim(p, "src_pitch")?);
            }
            if let Some(p) = &s.dst_pitch {
                copy.dst_pitch = Some(c.dim(p, "dst_pitch")?);
            }
            if let Some(o) = &s.src_offset {
                copy.src_offset = c.expr(o, "src_offset")?;
            }
            if let Some(o) = &s.dst_offset {
                copy.dst_offset = c.expr(o, "dst_offset")?;
            }
            if let Some(f) = &s.form {
                copy.form = Some(c.keyword(f, "copy form", "2d or 1d", CopyForm::from_name)?);
            }
            StepKind::Copy(Box::new(copy))
        }
        "wait" => match &s.wait_for {
            Some(list) => StepKind::WaitFor(list.get_ref().iter().map(|t| c.text(t)).collect()),
            None => StepKind::Wait,
        },
        "loop" => {
            let (Some(var), Some(count)) = (&s.var, &s.count) else {
                c.r.error(at, "a loop step needs `var`, `count` and `body`");
                return None;
            };
            if depth + 1 > MAX_LOOP_DEPTH {
                c.r.error(at, format!("loops nest more than {MAX_LOOP_DEPTH} deep"));
                return None;
            }
            let count = c.expr(count, "count")?;
            let body = match &s.body {
                Some(b) => convert_steps(c, b.get_ref(), depth + 1),
                None => Vec::new(),
            };
            StepKind::Loop(Loop {
                var: var.get_ref().clone(),
                count,
                body,
            })
        }
        "barrier" => {
            let memory = match &s.memory {
                Some(m) => c.keyword(
                    m,
                    "barrier memory",
                    "threadgroup, device or all",
                    BarrierMemory::from_name,
                )?,
                None => BarrierMemory::Threadgroup,
            };
            StepKind::Barrier(memory)
        }
        _ => {
            let Some(function) = &s.function else {
                c.r.error(at, "a call step needs `function`");
                return None;
            };
            let mut call = Call::new(function.get_ref().clone());
            call.args = s.args.iter().flatten().map(|a| c.text(a)).collect();
            if let Some(ret) = &s.returns {
                if ret.get_ref() != "void" {
                    call.returns = Some(c.elem(ret)?);
                }
            }
            call.store = s.store.as_ref().map(|t| c.text(t));
            StepKind::Call(call)
        }
    };
    let when = s.when.as_ref().map(|t| c.text(t));
    ok.then_some(Step { kind, when, at })
}
