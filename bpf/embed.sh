#!/bin/sh
# Build step run by Plugins/BPFCompilerPlugin: compiles one bpf/*.bpf.c into a CO-RE object and
# writes it as a Swift base64 literal, or writes the index of all embedded objects.
set -eu
mode=$1; shift
case "$mode" in
object)
    clang=$1 src=$2 name=$3 out=$4
    dir=$(dirname "$src")
    case "$(uname -m)" in
        x86_64) arch=x86 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;;
    esac
    obj="$out.o"
    "$clang" -target bpf -g -O2 -Wall -Werror -D__TARGET_ARCH_$arch \
        -I "$dir/include" -I "$dir" -I "/usr/include/$(uname -m)-linux-gnu" \
        -c "$src" -o "$obj"
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
