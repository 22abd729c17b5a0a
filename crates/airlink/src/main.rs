//! The `airlink` command.
fn main() {}
