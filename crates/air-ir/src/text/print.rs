//! The canonical printer (to be written).

use crate::module::Module;

/// Printer settings.
#[derive(Clone, Debug, Default)]
pub struct PrintOptions {}

/// Prints `module` as text.
pub fn print_module(_module: &Module, _options: &PrintOptions) -> String {
    String::new()
}
