//! Assembles one `.ll` file in-process N times; a fixed workload for
//! profilers (`valgrind --tool=callgrind`, `perf`), which the timing bench
//! is not. Usage: `assemble_loop FILE.ll [N]`; `AIRLINK_WHOLE=1` runs the
//! whole-module pipeline instead of `airlink assemble`'s.

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: assemble_loop FILE.ll [N]");
    let n: usize = args.next().map_or(1, |s| s.parse().expect("N is a number"));
    let text = std::fs::read_to_string(&path).expect("readable input");
    let target = air_target::Target::by_id("macos26").expect("target");
    let mut total = 0;
    let options = air_assemble::Options {
        target: air_assemble::TargetChoice::Target(target),
        retarget: true,
        ..air_assemble::Options::default()
    };
    // AIRLINK_WHOLE=1: the whole-module pipeline (parse, verify, assemble)
    // instead of the entry-by-entry one `airlink assemble -o` uses.
    let whole = std::env::var_os("AIRLINK_WHOLE").is_some();
    for _ in 0..n {
        rss("read");
        let library = if whole {
            let (module, _map) = air_ir::parse_with_source_map(&text, &path).expect("parses");
            rss("parsed");
            air_ir::verify(&module).expect("verifies");
            rss("verified");
            let input = air_assemble::Input::Module {
                module: &module,
                path: &path,
            };
            air_assemble::assemble(input, &options).expect("assembles")
        } else {
            let input = air_assemble::Input::Text {
                text: &text,
                path: &path,
            };
            air_assemble::assemble(input, &options).expect("assembles")
        };
        let bytes = library.bytes;
        rss("assembled");
        total += bytes.len();
    }
    println!("{n} runs, {total} bytes");
}

/// Prints the time since the previous stage and the current and peak
/// resident set size when AIRLINK_STAGES is set.
fn rss(stage: &str) {
    thread_local!(static LAST: std::cell::Cell<Option<std::time::Instant>> = const { std::cell::Cell::new(None) });
    if std::env::var_os("AIRLINK_STAGES").is_none() {
        return;
    }
    let now = std::time::Instant::now();
    let ms = LAST
        .with(|l| l.replace(Some(now)))
        .map_or(0.0, |t| (now - t).as_secs_f64() * 1e3);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |k: &str| {
        status
            .lines()
            .find(|l| l.starts_with(k))
            .map(|l| l.trim_start_matches(k).trim().to_string())
            .unwrap_or_default()
    };
    eprintln!(
        "{stage:>10}: {ms:8.2} ms, rss {} peak {}",
        field("VmRSS:"),
        field("VmHWM:")
    );
}
