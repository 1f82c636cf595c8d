#include "CFuzzer.h"
#include <stdlib.h>

// libFuzzer's FuzzerMain.o is linked in although its `main` is overridden, and it refers to
// this symbol. Inputs reach the callback given to LLVMFuzzerRunDriver, never this.
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    (void)data;
    (void)size;
    abort();
}
