#!/bin/sh
# Build step run by Plugins/BPFCompilerPlugin: compiles one bpf/*.bpf.c into a CO-RE object and
# writes it as a Swift base64 literal, or writes the index of all embedded objects. `compile`
# alone writes the object file (scripts/build-bpf).
set -eu
mode=$1; shift
# The one place the BPF compile flags live: the build plugin and scripts/build-bpf both use it.
compile() {
    clang=$1 src=$2 obj=$3
    dir=$(dirname "$src")
    case "$(uname -m)" in
        x86_64) arch=x86 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;;
    esac
    "$clang" -target bpf -g -O2 -Wall -Werror -D__TARGET_ARCH_$arch \
        -I "$dir/include" -I "$dir" -I "/usr/include/$(uname -m)-linux-gnu" \
        -c "$src" -o "$obj"
}
case "$mode" in
compile)
    compile "$@"
    ;;
object)
    clang=$1 src=$2 name=$3 out=$4
    obj="$out.o"
    compile "$clang" "$src" "$obj"
    {
        printf 'extension EmbeddedBPF {\n    static let %s = "' "$name"
        base64 -w0 "$obj"
        printf '"\n}\n'
    } > "$out"
    rm -f "$obj"
    ;;
index)
    out=$1; shift
    {
        printf 'extension EmbeddedBPF {\n    static let base64ByName: [String: String] = [\n'
        for name in "$@"; do printf '        "%s": %s,\n' "$name" "$name"; done
        printf '    ]\n}\n'
    } > "$out"
    ;;
esac
