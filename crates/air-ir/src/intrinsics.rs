//! The table of known intrinsics (to be written).
