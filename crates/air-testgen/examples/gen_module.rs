//! Prints a random valid module: `cargo run -p air-testgen --example gen_module -- SEED`.
fn main() {
    let seed = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let m = air_testgen::random_module(seed, air_testgen::GenOptions::default());
    print!("{}", air_ir::print(&m));
}
