/* modules.c — the library modules of stdlib.md §0 and their native tables.
 * A module that a VM disables is simply not declared to the checker. */
#include "rt.h"

extern const LibFn lib_coroutine_functions[], lib_time_functions[], lib_clock_functions[];

const LibModule lib_modules[] = {
    { "math", lib_functions, true },
    { "coroutine", lib_coroutine_functions, true },
    { "time", lib_time_functions, true },
    { "time.clock", lib_clock_functions, false },
    { NULL, NULL, false },
};
