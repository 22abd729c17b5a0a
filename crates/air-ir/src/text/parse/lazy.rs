//! Parsing function bodies on demand, for pipelines that handle one
//! function (or one entry and its helpers) at a time and should not hold
//! every body of a large module in memory at once.
//!
//! [`LazyModule::new`] runs pass one and every deferred item except the
//! bodies (global initializers, metadata), so the skeleton it holds has all
//! module-level state in its final form. Each defined function gets a
//! placeholder body (one block holding `unreachable`) so that it still
//! reads as a definition. A [`BodyFork`] is a private copy of the parser
//! state that parses real bodies into its own copy of the skeleton and
//! drops them again.
//!
//! Errors here are not the canonical diagnostics: a body parsed out of text
//! order may fail before an earlier body would have. Callers that meet one
//! parse the input again with [`crate::parse_with_source_map`] to report
//! the error the sequential parser gives.

use super::{Deferred, PResult, Parser};
use crate::inst::{Flags, InstId, InstKind, Instruction};
use crate::module::{Block, FuncId, Function, Module};
use crate::text::ParseError;

/// Where a deferred body lies in the text: from its `{` to the token after
/// its `}`.
#[derive(Clone, Copy, Debug)]
struct BodyRange {
    resume: usize,
    end: usize,
}

/// A module whose function bodies are parsed on demand (see the module
/// docs).
pub struct LazyModule<'a> {
    p: Parser<'a>,
    bodies: Vec<Option<BodyRange>>,
}

/// A copy of a [`LazyModule`]'s state that parses bodies into its own copy
/// of the skeleton. Forks are independent of each other and of the lazy
/// module, so each thread can own one.
pub struct BodyFork<'a> {
    p: Parser<'a>,
    bodies: Vec<Option<BodyRange>>,
    parsed: Vec<bool>,
    /// Metadata items below this index are checked already (the
    /// skeleton's by the caller, later ones by [`Self::verify`]).
    checked_metadata: usize,
}

/// The placeholder body of a definition whose body is not parsed.
fn placeholder(m: &mut Module, f: FuncId) {
    let void = m.types.void();
    let func = &mut m.functions[f.0 as usize];
    func.blocks = vec![Block {
        name: None,
        insts: vec![InstId(0)],
    }];
    func.insts = vec![Instruction {
        name: None,
        ty: void,
        kind: InstKind::Unreachable,
        flags: Flags::default(),
        attachments: crate::inst::Attachments::new(),
    }];
}

impl<'a> LazyModule<'a> {
    /// Parses everything but the function bodies.
    ///
    /// # Errors
    /// A syntax error outside the bodies (the sequential parser's, since
    /// this part runs in text order as it does there).
    pub fn new(src: &'a str, file: &'a str) -> Result<Self, ParseError> {
        super::check_size(src, file)?;
        let mut p = Parser::new(src, file);
        let bodies = p.skeleton().map_err(|e| *e)?;
        Ok(LazyModule { p, bodies })
    }

    /// The module with placeholder bodies.
    pub fn skeleton(&self) -> &Module {
        &self.p.m
    }

    /// Whether `f` is a definition whose body is parsed on demand.
    pub fn is_lazy(&self, f: FuncId) -> bool {
        matches!(self.bodies.get(f.0 as usize), Some(Some(_)))
    }

    /// The length in bytes of `f`'s body text (0 for a declaration).
    pub fn body_len(&self, f: FuncId) -> usize {
        match self.bodies.get(f.0 as usize) {
            Some(Some(r)) => r.end - r.resume,
            _ => 0,
        }
    }

    /// A fork that parses bodies into its own copy of the skeleton.
    pub fn fork(&self) -> BodyFork<'a> {
        BodyFork {
            p: self.p.fork_whole(),
            parsed: vec![false; self.bodies.len()],
            bodies: self.bodies.clone(),
            checked_metadata: self.p.m.metadata.len(),
        }
    }
}

impl<'a> BodyFork<'a> {
    /// The fork's module: the skeleton, with the bodies parsed so far.
    pub fn module(&self) -> &Module {
        &self.p.m
    }

    /// Whether `f`'s real body is in [`Self::module`] (always true for a
    /// function whose body is not lazy).
    pub fn is_parsed(&self, f: FuncId) -> bool {
        match self.bodies.get(f.0 as usize) {
            Some(Some(_)) => self.parsed.get(f.0 as usize).copied().unwrap_or(false),
            _ => true,
        }
    }

    /// The length in bytes of `f`'s body text if it is parsed on demand,
    /// else 0.
    pub fn body_len(&self, f: FuncId) -> usize {
        match self.bodies.get(f.0 as usize) {
            Some(Some(r)) => r.end - r.resume,
            _ => 0,
        }
    }

    /// Parses `f`'s body into the fork's module, replacing the placeholder.
    /// Returns whether there was anything to parse.
    ///
    /// # Errors
    /// A syntax error in the body, or a reference to a type or metadata
    /// node the module never defines. Not necessarily the first error of
    /// the text (see the module docs); the fork is unusable afterwards.
    pub fn parse(&mut self, f: FuncId) -> Result<bool, ParseError> {
        if self.is_parsed(f) {
            return Ok(false);
        }
        let Some(Some(range)) = self.bodies.get(f.0 as usize).copied() else {
            return Ok(false);
        };
        self.p.lazy_body(f, range).map_err(|e| *e)?;
        self.parsed[f.0 as usize] = true;
        Ok(true)
    }

    /// Checks functions `functions` of the fork's module (normally those
    /// just parsed) and the metadata items parsing added since the last
    /// call: with [`crate::verify_all`] of the skeleton, this covers
    /// everything `verify_all` of the fully parsed module would check
    /// (`verify_all` runs the same function check on each function, and
    /// checks module-level items and metadata that are all in the
    /// skeleton or added by a body). Empty when all is well.
    pub fn verify(&mut self, functions: &[FuncId]) -> Vec<crate::VerifyError> {
        let from = self.checked_metadata;
        self.checked_metadata = self.p.m.metadata.len();
        crate::verify::verify_functions(&self.p.m, functions, from)
    }

    /// Moves `f`'s parsed body out of the fork: returns the whole function
    /// and leaves the placeholder in its place, as [`Self::drop_body`]
    /// does. `None` if `f`'s body is not a parsed lazy one.
    pub fn take_function(&mut self, f: FuncId) -> Option<Function> {
        if !matches!(self.bodies.get(f.0 as usize), Some(Some(_))) || !self.is_parsed(f) {
            return None;
        }
        let func = self.p.m.functions.get_mut(f.0 as usize)?;
        let blocks = std::mem::take(&mut func.blocks);
        let insts = std::mem::take(&mut func.insts);
        let taken = Function {
            blocks,
            insts,
            ..func.clone()
        };
        self.parsed[f.0 as usize] = false;
        placeholder(&mut self.p.m, f);
        Some(taken)
    }

    /// Puts the placeholder back in place of `f`'s parsed body, freeing it.
    pub fn drop_body(&mut self, f: FuncId) {
        if let (Some(Some(_)), Some(parsed)) = (
            self.bodies.get(f.0 as usize),
            self.parsed.get_mut(f.0 as usize),
        ) {
            if *parsed {
                *parsed = false;
                placeholder(&mut self.p.m, f);
            }
        }
    }
}

impl<'a> Parser<'a> {
    /// Pass one and every deferred item but the bodies; returns the bodies'
    /// ranges by function.
    fn skeleton(&mut self) -> PResult<Vec<Option<BodyRange>>> {
        let deferred = self.pass_one()?;
        let mut bodies = vec![None; self.m.functions.len()];
        for d in deferred {
            match d {
                Deferred::Body { id, resume, end } => {
                    if let Some(slot) = bodies.get_mut(id.0 as usize) {
                        *slot = Some(BodyRange {
                            resume: resume as usize,
                            end: end as usize,
                        });
                    }
                    placeholder(&mut self.m, id);
                }
                other => self.parse_deferred(other)?,
            }
        }
        self.finish()?;
        Ok(bodies)
    }

    /// A copy of the whole state, for parsing bodies on demand. No source
    /// map: the fork's results are never used for diagnostics.
    fn fork_whole(&self) -> Parser<'a> {
        self.fork_with(self.m.clone(), Default::default(), false)
    }

    /// Parses one deferred body out of text order. Every metadata
    /// definition and named type is known by now, so a body that reserves a
    /// new `!N` slot or names a new type refers to something never defined.
    fn lazy_body(&mut self, f: FuncId, range: BodyRange) -> PResult<()> {
        let (slots, types) = (self.meta_slots.len(), self.named_types.len());
        self.parse_deferred(Deferred::Body {
            id: f,
            resume: range.resume as u32,
            end: range.end as u32,
        })?;
        if self.meta_slots.len() != slots || self.named_types.len() != types {
            return Err(self.err_at(range.resume, "reference to undefined metadata or type"));
        }
        Ok(())
    }
}

impl std::fmt::Debug for LazyModule<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazyModule")
            .field("functions", &self.p.m.functions.len())
            .field("lazy_bodies", &self.bodies.iter().flatten().count())
            .finish()
    }
}

impl std::fmt::Debug for BodyFork<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyFork")
            .field("functions", &self.p.m.functions.len())
            .field("parsed", &self.parsed.iter().filter(|p| **p).count())
            .finish()
    }
}
