//! The `bitstream_read` target: arbitrary bytes through the generic bitstream
//! reader: a stream or an error, never a panic, a hang or an unbounded
//! allocation.

/// Runs one input.
pub fn run(data: &[u8]) {
    let Ok(stream) = llvm_bitstream::Reader::new(data).read_stream() else {
        return;
    };
    // Walk everything the reader built.
    fn walk(block: &llvm_bitstream::Block, n: &mut usize) {
        for r in block.records() {
            *n += r.ops.len() + r.blob.as_ref().map_or(0, Vec::len);
        }
        for b in block.blocks() {
            walk(b, n);
        }
    }
    let mut n = 0;
    for b in &stream.blocks {
        walk(b, &mut n);
    }
    std::hint::black_box(n);
}
