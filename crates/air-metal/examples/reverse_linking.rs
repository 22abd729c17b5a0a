//! Runs the seed's reverse-linking tests on the GPU and prints the device
//! on each line (macOS / iOS); elsewhere says what it would do.
//!
//! `cargo run -p air-metal --example reverse_linking`

#[cfg(any(target_os = "macos", target_os = "ios"))]
fn main() -> Result<(), air_metal::Error> {
    use air_metal::apple::{run_case, Device};
    let device = Device::system_default()?;
    let name = device.info().name;
    let mut failed = 0;
    for case in air_metal::cases::all() {
        let shell = case.shell()?;
        let bytes = air_metal::metallib_bytes(&shell)?;
        match run_case(&device, &case, &shell, &bytes, air_metal::LinkMode::Private) {
            Ok(run) => {
                if !run.check.passed() {
                    failed += 1;
                }
                println!(
                    "[{}] {name}: {} ({}): {}",
                    if run.check.passed() { "PASS" } else { "FAIL" },
                    case.seed.name(),
                    case.seed.description(),
                    run.check
                );
            }
            Err(e) => {
                failed += 1;
                println!("[FAIL] {name}: {}: {e}", case.seed.name());
            }
        }
    }
    if failed > 0 {
        std::process::exit(1);
    }
    Ok(())
}

#[cfg(not(any(target_os = "macos", target_os = "ios")))]
fn main() {
    println!(
        "The reverse-linking tests need Metal (macOS or iOS). Here, only their shells are built:"
    );
    for case in air_metal::cases::all() {
        match case.shell().and_then(|s| air_metal::metallib_bytes(&s)) {
            Ok(bytes) => println!(
                "  {:<18} {} bytes of metallib",
                case.seed.name(),
                bytes.len()
            ),
            Err(e) => println!("  {:<18} {e}", case.seed.name()),
        }
    }
}
