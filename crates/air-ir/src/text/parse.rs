//! The parser (to be written).

use super::ParseError;
use crate::module::Module;

pub(crate) fn parse_module(src: &str, file: &str) -> Result<Module, ParseError> {
    Err(ParseError::at(file, src, 0, "parser not written yet"))
}
