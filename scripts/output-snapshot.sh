#!/usr/bin/env bash
# Runs an `airlink` binary over every input the project owns and keeps what it
# writes (files, stdout, stderr, exit status) in one folder, so two builds can
# be compared with `diff -r`: a refactor must leave every byte the same.
#
#   scripts/output-snapshot.sh BIN OUT [GEN_DIR]
#
# BIN      the airlink binary (e.g. target/release/airlink)
# OUT      a new folder for the snapshot
# GEN_DIR  optional folder of extra .ll inputs, e.g. generated modules:
#          for s in $(seq 1 40); do
#            cargo run -q -p air-testgen --example gen_module -- $s > gen/$s.ll; done
#
# Inputs: tests/corpus/*.ll, examples/**/*.ll, examples/**/*.toml and the
# invalid-input corpus of crates/air-ir/tests/invalid. Paths are given
# relative to the repository root so messages do not depend on where it is.
set -uo pipefail
bin=$(realpath "$1")
out=$(realpath -m "$2")
gen=${3:+$(realpath "$3")}
cd "$(dirname "$0")/.."
mkdir -p "$out"

# run NAME CMD...: stdout, stderr and the exit status of CMD under OUT/NAME.*
run() {
    local name=$1
    shift
    "$@" >"$out/$name.stdout" 2>"$out/$name.stderr"
    echo $? >"$out/$name.status"
}

texts=(tests/corpus/*.ll examples/specs/*.ll)
[ -d examples ] && while IFS= read -r f; do texts+=("$f"); done < <(find examples -mindepth 2 -name '*.ll' -not -path 'examples/specs/*' | sort)
for f in "${texts[@]}"; do
    n=$(echo "$f" | tr '/' '_')
    run "$n.fmt" "$bin" fmt "$f"
    run "$n.assemble" "$bin" assemble "$f" -o "$out/$n.metallib"
    run "$n.assemble1" "$bin" assemble "$f" -o "$out/$n.t1.metallib" --threads 1
    run "$n.bc14" "$bin" assemble "$f" --emit-bc "$out/$n.llvm14.bc" --flavour llvm14
    run "$n.bcapple" "$bin" assemble "$f" --emit-bc "$out/$n.apple.bc" --flavour apple
    if [ -f "$out/$n.metallib" ]; then
        run "$n.inspect" "$bin" inspect "$out/$n.metallib"
        run "$n.dump" "$bin" inspect "$out/$n.metallib" --dump
        run "$n.ir" "$bin" inspect "$out/$n.metallib" --ir
        run "$n.fmtlib" "$bin" fmt "$out/$n.metallib"
    fi
    [ -f "$out/$n.llvm14.bc" ] && run "$n.fmtbc" "$bin" fmt "$out/$n.llvm14.bc"
done

for f in crates/air-ir/tests/invalid/*.ll; do
    n=$(echo "$f" | tr '/' '_')
    run "$n.fmt" "$bin" fmt "$f"
    run "$n.assemble" "$bin" assemble "$f" -o "$out/$n.metallib"
done

if [ -n "$gen" ]; then
    for f in "$gen"/*.ll; do
        n=gen_$(basename "$f")
        # Inputs outside the repository: run from their folder so paths in
        # messages and in the llvm14 SOURCE_FILENAME are the same every time.
        (cd "$gen" && run "$n.fmt" "$bin" fmt "$(basename "$f")")
        (cd "$gen" && run "$n.assemble" "$bin" assemble "$(basename "$f")" -o "$out/$n.metallib")
        (cd "$gen" && run "$n.bc14" "$bin" assemble "$(basename "$f")" --emit-bc "$out/$n.llvm14.bc" --flavour llvm14)
        [ -f "$out/$n.metallib" ] && run "$n.ir" "$bin" inspect "$out/$n.metallib" --ir
    done
fi

for spec in $(find examples -name '*.toml' | sort); do
    n=$(echo "$spec" | tr '/' '_')
    for body in visible inline; do
        for fallback in none cooperative; do
            m="$n.$body.$fallback"
            run "$m.shell" "$bin" shell "$spec" --body $body --fallback $fallback \
                -o "$out/$m.metallib" --emit-ll "$out/$m.ll" --emit-msl "$out/$m.metal" \
                --manifest "$out/$m.json"
        done
    done
done

# The examples of `airlink run --help`.
run run.simple "$bin" run examples/specs/simple.toml --grid 128 --buffer src=128:i+1 \
    --buffer dst=128 --expect 'dst=(i+1)*3+7~0.01'
run run.multi "$bin" run examples/specs/multi_buffer.toml --grid 1024 --body inline \
    --buffer A=1024:i+1 --buffer 'B=1024:0.5*i+0.1' --buffer C=1024 --expect 'C=A*B+42~0.1'
run run.copy2d "$bin" run examples/specs/copy_2d.toml --grid 32 \
    --buffer 'src=128:100*floor(i/16)+i%16' --buffer dst=128:-1 \
    --expect 'dst=select(i%16<4, src*10, -1)~0.1'
run run.linked "$bin" run tests/corpus/simple_1d.ll --grid 128 --threadgroup 32 \
    --link examples/specs/simple_transform.ll --buffer src=128:i --buffer dst=128
run run.trace "$bin" run examples/specs/copy_2d.toml --grid 32 --trace \
    --buffer 'src=128:100*floor(i/16)+i%16' --buffer dst=128:-1
# Timings in the demo's output are not part of the comparison.
"$bin" demo 2>&1 | sed -E 's/[0-9]+(\.[0-9]+)? ?(ms|us|µs|s)\b/<time>/g' >"$out/demo.stdout"
echo "snapshot of $(find "$out" -type f | wc -l) files in $out"
