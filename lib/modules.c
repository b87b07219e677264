/* modules.c — the library modules of stdlib.md §0 and their native tables.
 * A module that a VM disables is simply not declared to the checker.  Each
 * module keeps its natives in its own file and tables (lib/json.c,
 * lib/regex.c, lib/reflect.c, lib/io.c, ...).  Regex is built only with PCRE2
 * (Makefile: WRIT_HAVE_PCRE2); without it `Regex` is simply an unknown name. */
#include "rt.h"

extern const LibFn lib_coroutine_functions[], lib_time_functions[], lib_clock_functions[];
extern const LibFn lib_json_functions[], lib_reflect_functions[], lib_io_functions[];
extern const NativeType *const lib_json_types[];
const char *lib_json_type_arg_ok(const LibFn *f, Type *t);
#ifdef WRIT_HAVE_PCRE2
extern const NativeType *const lib_regex_types[];
static const LibFn no_functions[] = { {NULL, NULL, NULL} };
#endif

const LibModule lib_modules[] = {
    { .name = "math", .fns = lib_functions, .embedded_default = true },
    { .name = "coroutine", .fns = lib_coroutine_functions, .embedded_default = true },
    { .name = "time", .fns = lib_time_functions, .embedded_default = true },
    { .name = "time.clock", .fns = lib_clock_functions, .embedded_default = false },
    { .name = "json", .fns = lib_json_functions, .embedded_default = true, .types = lib_json_types,
      .type_arg_ok = lib_json_type_arg_ok },
#ifdef WRIT_HAVE_PCRE2
    { .name = "regex", .fns = no_functions, .embedded_default = true, .types = lib_regex_types },
#endif
    { .name = "reflect", .fns = lib_reflect_functions, .embedded_default = true },
    { .name = "io", .fns = lib_io_functions, .embedded_default = false },
    { .name = NULL },
};
