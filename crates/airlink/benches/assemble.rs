//! End-to-end benchmark of `airlink assemble` against `llvm-as-14`, plus
//! spec → metallib latency and executor speed. A plain bench binary (no
//! criterion) because half of it times processes:
//!
//! ```text
//! cargo bench -p airlink --bench assemble            # full run (~2 minutes)
//! AIRLINK_BENCH_QUICK=1 cargo bench -p airlink --bench assemble
//! ```
//!
//! It prints a Markdown table; BENCHMARKS.md records a run. Inputs are
//! written to `target/airlink-bench/`:
//!
//! * the `.ll` of the three reference shells (`examples/specs`, generated
//!   with `air_shell`);
//! * `copies_{1,10,100,200}.ll`: 1, 10, 100 (and, for peak memory, 200) copies of one large generated
//!   kernel (`air_testgen`), each copy renamed and listed in
//!   `!air.kernel`, so the link step keeps every one of them;
//! * `one_huge_kernel.ll` (peak memory only): one generated kernel of about
//!   10 MB, the shape the entry-by-entry path cannot split.
//!
//! Each input is timed in-process (text in memory → `.metallib` bytes:
//! parse, verify, link step per entry, bitcode, container), through our CLI
//! as a process (`airlink assemble X.ll -o X.metallib`) and through
//! `llvm-as-14 -preserve-bc-uselistorder=false X.ll -o X.bc`, in the same
//! run. Peak memory comes from `/usr/bin/time -v` when it exists.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use air_exec::{Bindings, Launch, Options, Program, Source};
use air_shell::seed::SeedCase;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Median of `f`'s wall time over at least `min_runs` runs and about
/// `budget` of time (at most 10 000 runs).
fn median(min_runs: usize, budget: Duration, mut f: impl FnMut()) -> Duration {
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < min_runs || (start.elapsed() < budget && times.len() < 10_000) {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort();
    times[times.len() / 2]
}

/// text → `.metallib` bytes, what `airlink assemble -o` does between
/// reading and writing files (`air_assemble::assemble` on text: from 256
/// KiB on, bodies are parsed entry by entry); `threads` as in
/// `air_assemble::Options` (0 = all cores).
fn assemble_with(text: &str, name: &str, threads: usize) -> Vec<u8> {
    let input = air_assemble::Input::Text { text, path: name };
    air_assemble::assemble(input, &options(threads))
        .expect("assembles")
        .bytes
}

/// A verified module → `.metallib` bytes (target check, link step, apple
/// bitcode, container), as `airlink shell -o` does for a generated shell.
fn assemble_module(module: &air_ir::Module, name: &str, threads: usize) -> Vec<u8> {
    let input = air_assemble::Input::Module { module, path: name };
    air_assemble::assemble(input, &options(threads))
        .expect("assembles")
        .bytes
}

/// The bench's options: macOS 26 (retargeting what is older), the Apple
/// flavour, `threads` workers.
fn options(threads: usize) -> air_assemble::Options<'static> {
    let target = air_target::Target::by_id("macos26").expect("target");
    air_assemble::Options {
        target: air_assemble::TargetChoice::Target(target),
        retarget: true,
        threads,
        ..air_assemble::Options::default()
    }
}

/// [`assemble_with`] on all cores, as the CLI runs it.
fn assemble(text: &str, name: &str) -> Vec<u8> {
    assemble_with(text, name, 0)
}

/// `n` copies of one large generated kernel, each a `!air.kernel` entry.
fn copies(template: &str, n: usize) -> String {
    let start = template.find("define ").expect("a definition");
    // The kernel is the last definition; helpers (if any) come first.
    let kstart = template.rfind("\ndefine ").map_or(start, |i| i + 1);
    let kend = kstart + template[kstart..].find("\n}\n").expect("end of kernel") + 3;
    let kernel = &template[kstart..kend];
    let md_line = template
        .lines()
        .find(|l| l.starts_with('!') && l.contains("@kernel0,"))
        .expect("the kernel's metadata node");
    let md_id = md_line.split(' ').next().unwrap();
    let next_md = template
        .lines()
        .filter_map(|l| l.strip_prefix('!'))
        .filter_map(|l| l.split(' ').next()?.parse::<u64>().ok())
        .max()
        .unwrap()
        + 1;
    let mut out = String::with_capacity(template.len() + kernel.len() * n);
    out.push_str(&template[..kend]);
    let mut ids = vec![md_id.to_string()];
    let mut extra_md = String::new();
    for i in 1..n {
        out.push('\n');
        out.push_str(&kernel.replace("@kernel0(", &format!("@kernel{i}(")));
        let id = format!("!{}", next_md + i as u64);
        extra_md.push_str(
            &md_line
                .replacen(md_id, &id, 1)
                .replace("@kernel0,", &format!("@kernel{i},")),
        );
        extra_md.push('\n');
        ids.push(id);
    }
    let rest = &template[kend..];
    let rest = rest.replace(
        &format!("!air.kernel = !{{{md_id}}}"),
        &format!("!air.kernel = !{{{}}}", ids.join(", ")),
    );
    out.push_str(&rest);
    out.push_str(&extra_md);
    out
}

fn large_kernel_template() -> String {
    // One kernel, long straight-line stretches and nested control flow.
    let options = air_testgen::GenOptions {
        kernels: 1,
        stretch: 400,
        depth: 3,
        debug_info: false,
    };
    air_ir::print(&air_testgen::random_module(11, options))
}

/// Median wall time of each command, run in turns (`a b a b ...`) rather
/// than one after the other: on a shared host the speed drifts over
/// seconds, and a ratio of two medians taken minutes apart moved by ±15 %
/// between runs of this bench. `None` for a command that cannot run or
/// fails.
fn time_processes(runs: usize, cmds: &mut [&mut dyn FnMut() -> Command]) -> Vec<Option<Duration>> {
    let mut times: Vec<Option<Vec<Duration>>> = vec![Some(Vec::new()); cmds.len()];
    for _ in 0..runs {
        for (cmd, slot) in cmds.iter_mut().zip(times.iter_mut()) {
            let Some(list) = slot else { continue };
            let t = Instant::now();
            let ok = match cmd().output() {
                Ok(out) if out.status.success() => true,
                Ok(out) => {
                    eprintln!("process failed: {}", String::from_utf8_lossy(&out.stderr));
                    false
                }
                Err(_) => false,
            };
            if ok {
                list.push(t.elapsed());
            } else {
                *slot = None;
            }
        }
    }
    times
        .into_iter()
        .map(|list| {
            let mut list = list?;
            list.sort();
            list.get(list.len() / 2).copied()
        })
        .collect()
}

/// Maximum resident set size in KiB, from `/usr/bin/time -v`.
fn peak_rss_kib(program: &str, args: &[&str]) -> Option<u64> {
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(program)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stderr);
    text.lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
}

fn fmt(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1000.0 {
        format!("{us:.1} µs")
    } else {
        format!("{:.2} ms", us / 1000.0)
    }
}

fn mbps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    let quick = std::env::var_os("AIRLINK_BENCH_QUICK").is_some();
    let process_runs = if quick { 3 } else { 11 };
    let budget = Duration::from_secs(if quick { 1 } else { 3 });
    let dir = repo().join("target/airlink-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let cli = env!("CARGO_BIN_EXE_airlink");
    let llvm_as = Command::new("llvm-as-14").arg("--version").output().is_ok();

    // Inputs.
    let specs = repo().join("examples/specs");
    let mut inputs: Vec<(String, PathBuf, String)> = Vec::new();
    for name in ["simple", "multi_buffer", "copy_2d"] {
        let spec = air_shell::Spec::from_file(&specs.join(format!("{name}.toml"))).unwrap();
        let shell = air_shell::generate(&spec, &air_shell::Options::default()).unwrap();
        let text = shell.ll_text();
        let path = dir.join(format!("{name}.ll"));
        std::fs::write(&path, &text).unwrap();
        inputs.push((format!("shell {name}"), path, text));
    }
    let template = large_kernel_template();
    // 200 copies only for the peak-memory table (an input of more than
    // 10 MB, where the issue's memory goal applies).
    for n in [1, 10, 100, 200] {
        let text = copies(&template, n);
        let path = dir.join(format!("copies_{n}.ll"));
        std::fs::write(&path, &text).unwrap();
        inputs.push((format!("{n} × large kernel"), path, text));
    }

    // One kernel of about 10 MB, for the memory table only: what the
    // entry-by-entry path cannot split.
    {
        let options = air_testgen::GenOptions {
            kernels: 1,
            stretch: 120_000,
            depth: 3,
            debug_info: false,
        };
        let text = air_ir::print(&air_testgen::random_module(11, options));
        let path = dir.join("one_huge_kernel.ll");
        std::fs::write(&path, &text).unwrap();
        inputs.push(("1 × huge kernel".to_string(), path, text));
    }

    println!("## assemble: text → metallib\n");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("In-process runs use all {cores} cores (entries are linked and encoded in parallel); the 1-thread column is the same work on one thread.\n");
    println!("| input | size | in-process median | in-process MB/s | in-process, 1 thread | CLI process median | CLI MB/s | llvm-as-14 median | llvm-as-14 MB/s | CLI ÷ llvm-as (speed-up) | in-process ÷ llvm-as |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (label, path, text) in inputs
        .iter()
        .filter(|(l, _, _)| !l.starts_with("200 ") && !l.contains("huge"))
    {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let entries = assemble(text, &name);
        assert!(!entries.is_empty());
        let inproc = median(3, budget, || {
            std::hint::black_box(assemble(text, &name));
        });
        let single = median(3, budget, || {
            std::hint::black_box(assemble_with(text, &name, 1));
        });
        let out = dir.join(format!("{name}.metallib"));
        let bc = dir.join(format!("{name}.bc"));
        let mut cli_cmd = || {
            let mut c = Command::new(cli);
            c.arg("assemble").arg(path).arg("-o").arg(&out);
            c
        };
        let mut llvm_cmd = || {
            let mut c = Command::new("llvm-as-14");
            c.arg("-preserve-bc-uselistorder=false")
                .arg(path)
                .arg("-o")
                .arg(&bc);
            c
        };
        let (cli_t, llvm_t) = if llvm_as {
            let t = time_processes(process_runs, &mut [&mut cli_cmd, &mut llvm_cmd]);
            (t[0], t[1])
        } else {
            (time_processes(process_runs, &mut [&mut cli_cmd])[0], None)
        };
        let show = |d: Option<Duration>| d.map_or("n/a".to_string(), fmt);
        let rate = |d: Option<Duration>| {
            d.map_or("n/a".to_string(), |d| format!("{:.1}", mbps(text.len(), d)))
        };
        let ratio = |a: Option<Duration>, b: Option<Duration>| match (a, b) {
            (Some(a), Some(b)) => format!("{:.2}×", b.as_secs_f64() / a.as_secs_f64()),
            _ => "n/a".to_string(),
        };
        println!(
            "| {label} | {:.1} KB | {} | {:.1} | {} | {} | {} | {} | {} | {} | {} |",
            text.len() as f64 / 1e3,
            fmt(inproc),
            mbps(text.len(), inproc),
            fmt(single),
            show(cli_t),
            rate(cli_t),
            show(llvm_t),
            rate(llvm_t),
            ratio(cli_t, llvm_t),
            ratio(Some(inproc), llvm_t),
        );
    }

    println!("\n## where the time goes (in-process medians, whole-module pipeline: parse, verify, then link + encode)\n");
    println!("| input | parse | verify | link + encode + container (all cores) | same, 1 thread |");
    println!("|---|---:|---:|---:|---:|");
    for (label, path, text) in inputs
        .iter()
        .filter(|(l, _, _)| l == "shell simple" || l.starts_with("100 "))
    {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let parse = || {
            air_ir::parse_with_source_map(text, &name)
                .expect("parses")
                .0
        };
        let module = parse();
        let back_end = |threads| {
            median(3, budget, || {
                std::hint::black_box(assemble_module(&module, &name, threads));
            })
        };
        let t_parse = median(3, budget, || {
            std::hint::black_box(parse());
        });
        let t_verify = median(3, budget, || {
            air_ir::verify(&module).expect("verifies");
        });
        println!(
            "| {label} | {} | {} | {} | {} |",
            fmt(t_parse),
            fmt(t_verify),
            fmt(back_end(0)),
            fmt(back_end(1))
        );
    }

    println!("\n## spec → metallib (in-process: TOML → generate → assemble the generated module, as `airlink shell -o` does)\n");
    println!("| spec | median |");
    println!("|---|---:|");
    for name in ["simple", "multi_buffer", "copy_2d"] {
        let path = specs.join(format!("{name}.toml"));
        let toml = std::fs::read_to_string(&path).unwrap();
        let d = median(3, budget, || {
            let spec = air_shell::Spec::from_toml(&toml, "spec.toml", Some(&specs)).unwrap();
            let shell = air_shell::generate(&spec, &air_shell::Options::default()).unwrap();
            std::hint::black_box(assemble_module(&shell.module, &shell.module_name, 0));
        });
        println!("| {name} | {} |", fmt(d));
    }

    println!("\n## peak memory (maximum resident set size, /usr/bin/time -v)\n");
    println!("| input | size | airlink assemble | ratio to input | llvm-as-14 |");
    println!("|---|---:|---:|---:|---:|");
    for (_, path, text) in inputs
        .iter()
        .filter(|(l, _, _)| l.contains("large") || l.contains("huge"))
    {
        let p = path.to_string_lossy();
        let out = dir.join("peak.metallib").to_string_lossy().into_owned();
        let ours = peak_rss_kib(cli, &["assemble", &p, "-o", &out]);
        let bc = dir.join("peak.bc").to_string_lossy().into_owned();
        let theirs = if llvm_as {
            peak_rss_kib(
                "llvm-as-14",
                &["-preserve-bc-uselistorder=false", &p, "-o", &bc],
            )
        } else {
            None
        };
        let mb = |k: Option<u64>| {
            k.map_or("n/a".to_string(), |k| {
                format!("{:.1} MB", k as f64 * 1024.0 / 1e6)
            })
        };
        let ratio = ours.map_or("n/a".to_string(), |k| {
            format!("{:.2}×", k as f64 * 1024.0 / text.len() as f64)
        });
        println!(
            "| {} | {:.1} MB | {} | {ratio} | {} |",
            path.file_name().unwrap().to_string_lossy(),
            text.len() as f64 / 1e6,
            mb(ours),
            mb(theirs)
        );
    }

    println!("\n## executor (thread-instructions per second)\n");
    println!("| kernel | threads | thread-instructions | median | Minstr/s |");
    println!("|---|---:|---:|---:|---:|");
    let exec_dir = repo().join("crates/air-exec");
    {
        let shell = Source::read(&repo().join("tests/corpus/multi_buffer.ll")).unwrap();
        let mut p = Program::new(shell, None).unwrap();
        p.link(Source::read(&exec_dir.join("tests/bodies/compute_tile_mul_add.ll")).unwrap());
        let case = SeedCase::MultiBufferMulAdd;
        let launch = Launch::linear(case.threads(), case.threads_per_threadgroup());
        let index = |name: &str| p.buffer_index(name).unwrap();
        let mut steps = 0;
        let mut threads = 0;
        let d = median(3, budget, || {
            // The seed's inputs, the run and the check, as `airlink demo`
            // does them.
            let mut bindings = Bindings::new();
            for b in case.buffers() {
                bindings.set_f32(index(b.name), &b.data);
            }
            let report = p.run(&launch, &mut bindings, &Options::default()).unwrap();
            let out = bindings.f32s(index(case.output())).unwrap();
            assert!(case.check(&out).passed());
            steps = report.steps;
            threads = report.threads;
        });
        println!(
            "| multi_buffer (mul_add body) | {threads} | {steps} | {} | {:.1} |",
            fmt(d),
            steps as f64 / d.as_secs_f64() / 1e6
        );
    }
    {
        let p = Program::new(
            Source::read(&exec_dir.join("tests/bodies/tiled_matmul.ll")).unwrap(),
            None,
        )
        .unwrap();
        let (m, n, k) = (64usize, 64usize, 64usize);
        let a: Vec<f32> = (0..m * k).map(|i| (i % 7) as f32).collect();
        let b: Vec<f32> = (0..k * n).map(|i| (i % 5) as f32).collect();
        let launch = Launch {
            grid: [n as u32, m as u32, 1],
            threadgroup: [8, 8, 1],
        };
        let mut steps = 0;
        let mut threads = 0;
        let d = median(3, budget, || {
            let mut bind = Bindings::new();
            bind.set_f32(0, &a)
                .set_f32(1, &b)
                .set_f32(2, &vec![0.0; m * n])
                .set_u32(3, &[m as u32, n as u32, k as u32]);
            let r = p.run(&launch, &mut bind, &Options::default()).unwrap();
            steps = r.steps;
            threads = r.threads;
        });
        println!(
            "| tiled_matmul 64×64×64 | {threads} | {steps} | {} | {:.1} |",
            fmt(d),
            steps as f64 / d.as_secs_f64() / 1e6
        );
    }
}
