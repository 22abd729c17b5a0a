//! `cargo run -p air-bitcode --example assemble -- FILE.ll OUT.bc`: parses a
//! module and writes its LLVM 14 bitcode (the input path is used as given).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(input), Some(output)) = (args.get(1), args.get(2)) else {
        return Err("usage: assemble FILE.ll OUT.bc".into());
    };
    let text = std::fs::read_to_string(input)?;
    let module = air_ir::parse(&text, input)?;
    let options = air_bitcode::WriteOptions {
        flavour: air_bitcode::Flavour::Llvm14,
        input_path: input.clone(),
        producer: None,
    };
    std::fs::write(output, air_bitcode::write_module(&module, &options)?)?;
    Ok(())
}
