// The body of the conv1d example (examples/conv1d/README.md): the math the
// shell calls once per thread after the async copy has filled `window`.
// A host compiles this with newLibraryWithSource and links
// `conv_window` into the shell through MTLLinkedFunctions.privateFunctions.
// Its prototype must lower to exactly the IR type the shell declares;
// `airlink shell conv1d.toml --emit-msl FILE` prints the prototype to match.
//
// Not compiled here (no Metal compiler on Linux): the prototype is checked
// against the shell's manifest by crates/air-metal/tests/conv1d_example.rs.
#include <metal_stdlib>
using namespace metal;

constant uint TAPS = 5;

[[visible]] float conv_window(threadgroup float* window, device float* taps, uint lane, float bias) {
    float acc = bias;
    for (uint k = 0; k < TAPS; ++k) {
        acc = fma(taps[k], window[lane + k], acc);
    }
    return acc;
}
