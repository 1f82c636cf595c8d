#pragma once
#include <stddef.h>
#include <stdint.h>

typedef int (*kmon_fuzz_callback)(const uint8_t *data, size_t size);

/// libFuzzer's driver (compiler-rt's FuzzerDriver.cpp): parses the libFuzzer flags in argv and
/// runs `callback` on each input. SwiftPM defines `main` as the executable module's entry point
/// on Linux (--defsym main=MODULE_main), so libFuzzer's own `main` never runs: each target's
/// main.swift calls this instead.
int LLVMFuzzerRunDriver(int *argc, char ***argv, kmon_fuzz_callback callback);
