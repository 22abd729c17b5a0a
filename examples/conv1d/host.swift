// The conv1d example on a Mac's GPU from Swift (examples/conv1d/README.md):
// load the shell airlink built (newLibraryWithData), compile the MSL body,
// link `conv_window` through MTLLinkedFunctions.privateFunctions, bind the
// arguments by the names in the JSON manifest and dispatch with the
// manifest's threadgroup size, then compare with a CPU reference.
//
//   airlink shell examples/conv1d/conv1d.toml -o conv1d.metallib --manifest conv1d.json
//   swiftc -O examples/conv1d/host.swift -o conv1d-host
//   ./conv1d-host conv1d.metallib conv1d.json examples/conv1d/conv1d.metal
//
// It runs undocumented async-copy intrinsics on the GPU: run it where a GPU
// reset would not hurt. Written without a Mac: this file has never been
// compiled or run (no Swift compiler where airlink is developed).

import Foundation
import Metal

// The ABI manifest `airlink shell --manifest` writes (air_shell::Manifest).
struct Manifest: Decodable {
    struct Buffer: Decodable {
        let name: String
        let index: Int
        let access: String
        let element: String
    }
    struct Scalar: Decodable {
        let name: String
        let index: Int
        let type: String
    }
    struct Visible: Decodable {
        let name: String
        let irType: String
        let mslPrototype: String
    }
    let schema: Int
    let target: String
    let kernel: String
    let threadgroupSize: [Int]
    let threadgroupBytes: Int
    let buffers: [Buffer]
    let scalars: [Scalar]
    let visible: [Visible]
}

struct HostError: Error, CustomStringConvertible {
    let description: String
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(("conv1d-host: " + message + "\n").data(using: .utf8)!)
    exit(1)
}

// The example's data: y[i] = bias + sum_k taps[k] * x[i + k].
enum Example {
    static let n = 128
    static let taps: [Float] = [0.0625, 0.25, 0.375, 0.25, 0.0625]
    static let bias: Float = 0.5
    static let x: [Float] = (0..<(n + taps.count - 1)).map { Float($0 % 7) }

    // In the MSL loop's order; addingProduct rounds once, as MSL's fma.
    static func reference() -> [Float] {
        (0..<n).map { i in
            var acc = bias
            for k in 0..<taps.count {
                acc = acc.addingProduct(taps[k], x[i + k])
            }
            return acc
        }
    }
}

// The MSL version the shell's target was built for (its !air.language_version).
func languageVersion(for target: String) -> MTLLanguageVersion? {
    let versions: [String: (UInt, UInt)] = [
        "macos14": (3, 1), "ios17": (3, 1),
        "macos15": (3, 2), "ios18": (3, 2),
        "macos26": (4, 0), "ios26": (4, 0),
    ]
    guard let (major, minor) = versions[target] else { return nil }
    return MTLLanguageVersion(rawValue: (major << 16) | minor)
}

func run() throws {
    let args = CommandLine.arguments
    guard args.count == 4 else {
        throw HostError(description: "usage: conv1d-host SHELL.metallib MANIFEST.json BODY.metal")
    }
    let libraryData = try Data(contentsOf: URL(fileURLWithPath: args[1]))
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    let manifestData = try Data(contentsOf: URL(fileURLWithPath: args[2]))
    let manifest = try decoder.decode(Manifest.self, from: manifestData)
    let msl = try String(contentsOfFile: args[3], encoding: .utf8)

    guard let device = MTLCreateSystemDefaultDevice() else {
        throw HostError(description: "no Metal device")
    }
    // 1. The shell: the .metallib bytes airlink assembled, loaded from memory.
    let shellLibrary = try libraryData.withUnsafeBytes { bytes in
        try device.makeLibrary(data: DispatchData(bytes: bytes))
    }
    guard let kernel = shellLibrary.makeFunction(name: manifest.kernel) else {
        throw HostError(description: "the library has no kernel \(manifest.kernel)")
    }

    // 2. The body: MSL compiled at run time, with the shell's MSL version and
    //    fast math (the shell declares air.compile.fast_math_enable).
    let options = MTLCompileOptions()
    if let version = languageVersion(for: manifest.target) {
        options.languageVersion = version
    }
    if #available(macOS 15.0, iOS 18.0, *) {
        options.mathMode = .fast
    }
    let bodyLibrary = try device.makeLibrary(source: msl, options: options)
    let visible = try manifest.visible.map { v -> any MTLFunction in
        guard let f = bodyLibrary.makeFunction(name: v.name) else {
            throw HostError(description: "the MSL defines no [[visible]] \(v.name); the shell expects \(v.mslPrototype)")
        }
        return f
    }

    // 3. Link: the visible functions become private to this pipeline.
    let linked = MTLLinkedFunctions()
    linked.privateFunctions = visible
    let descriptor = MTLComputePipelineDescriptor()
    descriptor.computeFunction = kernel
    descriptor.linkedFunctions = linked
    let pipeline = try device.makeComputePipelineState(
        descriptor: descriptor, options: [], reflection: nil)

    // 4. Bind by the manifest's names, dispatch with its threadgroup size.
    let n = Example.n
    let y = [Float](repeating: 0, count: n)
    let data: [String: [Float]] = ["x": Example.x, "taps": Example.taps, "y": y]
    var buffers: [String: any MTLBuffer] = [:]
    for b in manifest.buffers {
        guard let contents = data[b.name], b.element == "float" else {
            throw HostError(description: "no float data for buffer \(b.name) (\(b.element))")
        }
        guard let buffer = device.makeBuffer(
            bytes: contents, length: contents.count * MemoryLayout<Float>.stride,
            options: .storageModeShared)
        else {
            throw HostError(description: "cannot allocate buffer \(b.name)")
        }
        buffers[b.name] = buffer
    }
    guard let queue = device.makeCommandQueue(),
          let commands = queue.makeCommandBuffer(),
          let encoder = commands.makeComputeCommandEncoder()
    else {
        throw HostError(description: "cannot create a command encoder")
    }
    encoder.setComputePipelineState(pipeline)
    for b in manifest.buffers {
        encoder.setBuffer(buffers[b.name], offset: 0, index: b.index)
    }
    let scalars: [String: Float] = ["bias": Example.bias]
    for s in manifest.scalars {
        guard var value = scalars[s.name], s.type == "float" else {
            throw HostError(description: "no float value for scalar \(s.name) (\(s.type))")
        }
        encoder.setBytes(&value, length: MemoryLayout<Float>.size, index: s.index)
    }
    let size = manifest.threadgroupSize
    encoder.dispatchThreads(
        MTLSize(width: n, height: 1, depth: 1),
        threadsPerThreadgroup: MTLSize(width: size[0], height: size[1], depth: size[2]))
    encoder.endEncoding()
    commands.commit()
    commands.waitUntilCompleted()
    if commands.status != .completed {
        throw HostError(description: "the command buffer failed: \(String(describing: commands.error))")
    }

    // 5. Read back and compare.
    guard let out = buffers["y"] else { throw HostError(description: "no buffer y") }
    let got = Array(UnsafeBufferPointer(
        start: out.contents().bindMemory(to: Float.self, capacity: n), count: n))
    let want = Example.reference()
    let wrong = (0..<n).filter { abs(got[$0] - want[$0]) >= 1e-4 }
    print("conv1d on \(device.name): \(n - wrong.count)/\(n) correct")
    for i in wrong.prefix(4) {
        print("  y[\(i)] = \(got[i]), expected \(want[i])")
    }
    if !wrong.isEmpty { exit(1) }
}

do {
    try run()
} catch {
    fail("\(error)")
}
