/* writ.h — the Writ embedding API.  This is the only public header.
 *
 * A writ_vm is an independent interpreter: all state lives in it, several
 * may exist in one process.  Every call that can fail returns a
 * writ_status; the message (rendered diagnostics or the runtime error with
 * its stack trace) is then available from writ_error_text until the next
 * call on that VM.
 *
 * Status: this is the first slice of the API (create, load, check, error
 * text).  Calling functions, host functions and types, coroutines and hot
 * reload follow (docs/status.md). */
#ifndef WRIT_H
#define WRIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define WRIT_API __attribute__((visibility("default")))
#else
#define WRIT_API
#endif

typedef struct writ_vm writ_vm;

typedef enum writ_status {
    WRIT_OK = 0,
    WRIT_ERROR_COMPILE,   /* diagnostics in writ_error_text */
    WRIT_ERROR_RUNTIME,   /* message and stack trace in writ_error_text */
    WRIT_ERROR_LIMIT,     /* instruction, memory or call-depth limit */
    WRIT_ERROR_MISUSE,    /* bad argument to the API */
    WRIT_ERROR_IO,        /* a file could not be read */
} writ_status;

/* Allocator hook with Lua's shape: new_size 0 frees; return NULL on failure.
 * A failure is never fatal: the call that needed the memory fails with
 * WRIT_ERROR_LIMIT ("out of memory") and the VM stays usable. */
typedef void *(*writ_alloc_fn)(void *ud, void *ptr, size_t old_size, size_t new_size);
/* Output sink for print. */
typedef void (*writ_write_fn)(void *ud, const char *text, size_t len);
/* Input source for readLine: fills up to cap bytes, returns how many (0: end of input). */
typedef size_t (*writ_read_fn)(void *ud, char *buf, size_t cap);

typedef struct writ_config {
    writ_alloc_fn alloc;      /* NULL: libc */
    void *alloc_ud;
    writ_write_fn write;      /* NULL: stdout */
    void *write_ud;
    uint32_t call_depth_limit;/* 0: 10,000 frames */
    uint64_t instruction_limit;   /* per host entry; 0: none */
    size_t memory_limit;          /* bytes allocated by the VM; 0: none */
    writ_read_fn read;            /* NULL: stdin */
    void *read_ud;
    const char *root_dir;         /* relative io paths and the imports of modules loaded from strings
                                   * start here; NULL: the working directory */
    bool seed_random;             /* true: random_seed seeds the generator (else the clock) */
    uint64_t random_seed;
} writ_config;

/* Fills cfg with the defaults. */
WRIT_API void writ_config_init(writ_config *cfg);
/* Creates a VM; cfg may be NULL for the defaults.  Returns NULL only when
 * the allocator fails. */
WRIT_API writ_vm *writ_vm_new(const writ_config *cfg);
/* Not from inside the VM (a host function, hook or destructor): that call is ignored. */
WRIT_API void writ_vm_free(writ_vm *vm);

/* Compiles and runs a file / a named string (its top-level code). */
WRIT_API writ_status writ_load_file(writ_vm *vm, const char *path);
WRIT_API writ_status writ_load_string(writ_vm *vm, const char *name, const char *source, size_t len);
/* Compiles without running. */
WRIT_API writ_status writ_check_file(writ_vm *vm, const char *path);
/* The source files loaded so far (scripts and every module they import,
 * absolute paths, each once; not string-loaded scripts): what a host
 * watches for hot reload.  NULL past the end.  Valid until the next load
 * or reload. */
WRIT_API const char *writ_loaded_file(writ_vm *vm, size_t index);
/* Changes the limits of runtime.md §12 (0 = none; call depth 0 = 10,000).
 * Exceeding one is a runtime error with status WRIT_ERROR_LIMIT; the VM
 * stays usable and the next host entry starts a fresh budget. */
WRIT_API writ_status writ_set_limits(writ_vm *vm, uint64_t instructions, size_t memory_bytes, uint32_t call_depth);

/* Enables or disables a standard-library module (stdlib.md §0: "math",
 * "coroutine", "time", "time.clock", "io", ...; "*" for all) for code
 * compiled afterwards.  An embedding VM starts with all but "io" and
 * "time.clock". */
WRIT_API writ_status writ_enable_module(writ_vm *vm, const char *module, bool on);

/* ---- coroutines (runtime.md §10) ---- */
/* One scheduler tick of dt seconds: resumes every task whose wait is over,
 * in start order.  A runtime error ends the failing task and is returned. */
WRIT_API writ_status writ_tick(writ_vm *vm, double dt);
/* Number of live tasks (suspended or running). */
WRIT_API size_t writ_task_count(writ_vm *vm);
/* Tick source mode: the callback returns the current game time in seconds;
 * at the start of each host entry, if it advanced by d > 0 since the last
 * reading, one tick of d runs first (pause = stop the clock).  NULL returns
 * to manual ticking.  writ_use_wall_clock reads the monotonic clock. */
typedef double (*writ_clock_fn)(void *ud);
WRIT_API void writ_set_tick_source(writ_vm *vm, writ_clock_fn fn, void *ud);
WRIT_API void writ_use_wall_clock(writ_vm *vm);

/* ---- values across the boundary (runtime.md §5) ----
 * A writ_value is a kind, the exact Writ type and a payload.  Reference
 * kinds (string, array, dictionary, tuple, struct, object, result, function,
 * weak, wait, task) hold a counted handle: values the API hands to the host
 * (call results, writ_string, element reads) are owned by the host until
 * writ_release; values passed to a host function are borrowed for the call. */
typedef enum writ_kind {
    WRIT_VOID, WRIT_NULL, WRIT_INT, WRIT_FLOAT, WRIT_BOOL, WRIT_STRING,
    WRIT_ARRAY, WRIT_DICT, WRIT_TUPLE, WRIT_STRUCT, WRIT_OBJECT, WRIT_ENUM,
    WRIT_RESULT, WRIT_FUNCTION, WRIT_WEAK, WRIT_WAIT, WRIT_TASK,
    WRIT_HOST,                               /* an instance of a host type (writ_host_ptr) */
} writ_kind;

typedef struct writ_type writ_type;          /* an interned Writ type (lives as long as the VM) */

typedef struct writ_value {
    writ_kind kind;
    const writ_type *type;                   /* exact type; may be NULL for int/float/bool/null */
    union { int64_t i; double f; bool b; void *ref; } as;   /* enum: i = ordinal */
} writ_value;

static inline writ_value writ_int(int64_t i) { writ_value v = {WRIT_INT, 0, {0}}; v.as.i = i; return v; }
static inline writ_value writ_float(double f) { writ_value v = {WRIT_FLOAT, 0, {0}}; v.as.f = f; return v; }
static inline writ_value writ_bool(bool b) { writ_value v = {WRIT_BOOL, 0, {0}}; v.as.b = b; return v; }
static inline writ_value writ_null(void) { writ_value v = {WRIT_NULL, 0, {0}}; return v; }

/* A new string (owned).  Invalid UTF-8 sequences become U+FFFD. */
WRIT_API writ_value writ_string(writ_vm *vm, const char *s, size_t len);
/* The bytes of a string value (NUL-terminated), or NULL if v is not one. */
WRIT_API const char *writ_string_data(writ_value v, size_t *len);
WRIT_API void writ_retain(writ_value v);
WRIT_API void writ_release(writ_vm *vm, writ_value v);

/* Parses a type written in Writ syntax against the library and the loaded
 * modules: "int", "Array<string>", "Dictionary<string, Player>", ... */
WRIT_API const writ_type *writ_type_of(writ_vm *vm, const char *spelling);
WRIT_API const char *writ_type_name(const writ_type *t);
/* The display form (language.md §22) of a value, owned by the VM until the
 * next call on it. */
WRIT_API const char *writ_display(writ_vm *vm, writ_value v);

/* Arrays and dictionaries.  Reads return owned values. */
WRIT_API writ_status writ_array_new(writ_vm *vm, const writ_type *array_type, writ_value *out);
WRIT_API int64_t writ_array_len(writ_value array);
WRIT_API writ_status writ_array_get(writ_vm *vm, writ_value array, int64_t index, writ_value *out);
WRIT_API writ_status writ_array_set(writ_vm *vm, writ_value array, int64_t index, writ_value v);
WRIT_API writ_status writ_array_push(writ_vm *vm, writ_value array, writ_value v);
WRIT_API writ_status writ_array_remove(writ_vm *vm, writ_value array, int64_t index);
WRIT_API writ_status writ_dict_new(writ_vm *vm, const writ_type *dict_type, writ_value *out);
WRIT_API int64_t writ_dict_len(writ_value dict);
/* WRIT_ERROR_MISUSE with "key not found" when absent. */
WRIT_API writ_status writ_dict_get(writ_vm *vm, writ_value dict, writ_value key, writ_value *out);
WRIT_API writ_status writ_dict_set(writ_vm *vm, writ_value dict, writ_value key, writ_value v);
WRIT_API writ_status writ_dict_remove(writ_vm *vm, writ_value dict, writ_value key);
/* Iteration in insertion order: start with *pos = 0; false at the end. */
WRIT_API bool writ_dict_next(writ_vm *vm, writ_value dict, size_t *pos, writ_value *key, writ_value *val);

/* Struct, class-instance and tuple fields by name or index (tuples: index),
 * enum variant, Result.  Reads return owned values. */
WRIT_API int writ_field_count(writ_value v);
WRIT_API const char *writ_field_name(writ_value v, int index);
WRIT_API writ_status writ_field_get(writ_vm *vm, writ_value v, const char *name, writ_value *out);
WRIT_API writ_status writ_field_get_at(writ_vm *vm, writ_value v, int index, writ_value *out);
/* Class instances are written in place; a struct handle is copied first
 * when shared, so the host's handle sees the change and no one else does. */
WRIT_API writ_status writ_field_set(writ_vm *vm, writ_value *v, const char *name, writ_value x);
/* Structs of float fields only (Vector2/3/4, Quaternion, Color, Rectangle and
 * user structs like them, runtime.md §5): a borrowed view of the fields as
 * consecutive doubles in field order, valid while v is (do not write through
 * it), or NULL when v is not such a struct.  count may be NULL.  The fast
 * path for host functions taking them: `const double *c = writ_struct_floats(args[1], NULL);`. */
WRIT_API const double *writ_struct_floats(writ_value v, int *count);
/* A new struct of float fields (owned), e.g. for a host function returning
 * a Vector2: type from writ_type_of(vm, "Vector2"), count = its field count. */
WRIT_API writ_status writ_struct_from_floats(writ_vm *vm, const writ_type *type, const double *values, int count,
                                             writ_value *out);
WRIT_API const char *writ_enum_name(writ_value v);
WRIT_API bool writ_result_ok(writ_value v);
/* Success payload (owned) or the error message string (owned). */
WRIT_API writ_status writ_result_get(writ_vm *vm, writ_value v, writ_value *out);

/* ---- calling script functions (runtime.md §4) ---- */
typedef struct writ_fn writ_fn;              /* a function handle: resolve once, call often */

/* module: a loaded file or string name as given to the loader, or NULL for
 * every loaded module (the latest first).  name: a top-level function or
 * "Type.staticMethod".  The handle lives until writ_fn_free or the VM. */
WRIT_API writ_status writ_function(writ_vm *vm, const char *module, const char *name, writ_fn **out);
WRIT_API void writ_fn_free(writ_vm *vm, writ_fn *fn);
/* The function's type (follows hot reload), NULL if it was removed.  Types
 * are interned: compare with writ_type_of(vm, "(Canvas, Frame) -> void"). */
WRIT_API const writ_type *writ_fn_type(writ_vm *vm, writ_fn *fn);
/* Calls with positional arguments (omitted trailing ones take their
 * defaults; a variadic parameter takes the rest).  result (may be NULL)
 * receives the owned return value, WRIT_VOID for void functions.  Calling a
 * coroutine starts it (runtime.md §4): it runs to its first suspension and
 * result is its task (WRIT_TASK). */
WRIT_API writ_status writ_call(writ_vm *vm, writ_fn *fn, const writ_value *args, int nargs, writ_value *result);
WRIT_API writ_status writ_call_name(writ_vm *vm, const char *module, const char *name,
                                    const writ_value *args, int nargs, writ_value *result);
/* A method of an object (virtual dispatch) or struct value held by the host. */
WRIT_API writ_status writ_call_method(writ_vm *vm, writ_value receiver, const char *method,
                                      const writ_value *args, int nargs, writ_value *result);

/* ---- tasks ---- */
typedef enum writ_task_state { WRIT_TASK_RUNNING, WRIT_TASK_SUSPENDED, WRIT_TASK_FINISHED,
                               WRIT_TASK_CANCELLED, WRIT_TASK_FAILED } writ_task_state;
/* Starts a coroutine with an owner (a class instance, or WRIT_NULL). */
WRIT_API writ_status writ_start(writ_vm *vm, writ_fn *fn, writ_value owner, const writ_value *args, int nargs,
                                writ_value *task);
WRIT_API writ_task_state writ_task_state_of(writ_value task);
/* The return value of a finished task (owned). */
WRIT_API writ_status writ_task_result(writ_vm *vm, writ_value task, writ_value *out);
WRIT_API void writ_task_cancel(writ_vm *vm, writ_value task);
WRIT_API void writ_cancel_owner(writ_vm *vm, writ_value owner);
WRIT_API void writ_cancel_all(writ_vm *vm);
WRIT_API bool writ_owner_has_tasks(writ_vm *vm, writ_value owner);
/* Host waits (runtime.md §6): a Wait the host returns from a function
 * declared "-> Wait".  A task yielding it resumes on the tick after the host
 * completes it, or is cancelled when the host cancels it. */
WRIT_API writ_value writ_wait_new(writ_vm *vm);
WRIT_API writ_status writ_wait_complete(writ_vm *vm, writ_value wait);
WRIT_API writ_status writ_wait_cancel(writ_vm *vm, writ_value wait);

/* ---- host functions (runtime.md §6) ----
 * The signature is Writ syntax: "(float, float) -> float",
 * "(hp: float, amount: float = 1.0) -> float", "(...xs: int) -> int".
 * Scripts are checked against it at compile time, so args[i] always has
 * the declared kind (a variadic parameter arrives as one array).  Return
 * WRIT_OK with *ret set (its kind is checked), or writ_fail(...). */
typedef writ_status (*writ_host_fn)(writ_vm *vm, const writ_value *args, int nargs, writ_value *ret, void *ud);
WRIT_API writ_status writ_register_fn(writ_vm *vm, const char *name, const char *signature, writ_host_fn fn, void *ud);
/* Records a runtime error message for the running host function and
 * returns WRIT_ERROR_RUNTIME (return that from the callback). */
WRIT_API writ_status writ_fail(writ_vm *vm, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---- host types (runtime.md §7) ----
 * A reference type backed by a C object.  Fields either live in the object
 * at a byte offset (scripts read and write the host's memory directly) or
 * go through accessor callbacks.  Register a type and its members before
 * compiling the scripts that use them. */
typedef struct writ_host_type writ_host_type;

typedef enum writ_storage {
    WRIT_STORE_I8, WRIT_STORE_I16, WRIT_STORE_I32, WRIT_STORE_I64,
    WRIT_STORE_U8, WRIT_STORE_U16, WRIT_STORE_U32,
    WRIT_STORE_F32, WRIT_STORE_F64, WRIT_STORE_BOOL,         /* bool: one byte, 0 or 1 */
    /* a struct of N floats (Vector2/3/4, Color, Quaternion, ...) as consecutive float32 / float64 */
    WRIT_STORE_FLOATS32, WRIT_STORE_FLOATS64,
} writ_storage;

typedef writ_status (*writ_getter)(writ_vm *vm, void *obj, writ_value *out, void *ud);   /* *out owned */
typedef writ_status (*writ_setter)(writ_vm *vm, void *obj, writ_value v, void *ud);      /* v borrowed */
/* Returns the new object, or NULL after writ_fail. */
typedef void *(*writ_constructor)(writ_vm *vm, const writ_value *args, int nargs, void *ud);
/* Called when the last VM reference to a VM-owned object goes; it must not call into the VM. */
typedef void (*writ_destructor)(void *obj, void *ud);

WRIT_API writ_host_type *writ_define_type(writ_vm *vm, const char *name);
/* A field at a byte offset: type is a Writ type ("int", "float", "bool", "Vector2", ...) that
 * fits the storage kind. */
WRIT_API writ_status writ_type_field(writ_vm *vm, writ_host_type *t, const char *name, const char *type,
                                     writ_storage storage, size_t offset, bool read_only);
/* A field through callbacks (any type); set may be NULL for a read-only field. */
WRIT_API writ_status writ_type_property(writ_vm *vm, writ_host_type *t, const char *name, const char *type,
                                        writ_getter get, writ_setter set, void *ud);
/* A method: args[0] is the object (writ_host_ptr(args[0])), then the signature's parameters. */
WRIT_API writ_status writ_type_method(writ_vm *vm, writ_host_type *t, const char *name, const char *signature,
                                      writ_host_fn fn, void *ud);
/* A static function, called as Name.fn(...). */
WRIT_API writ_status writ_type_static(writ_vm *vm, writ_host_type *t, const char *name, const char *signature,
                                      writ_host_fn fn, void *ud);
/* Enables Name(...) in scripts: signature of its parameters, e.g. "(name: string, hp: int = 100)". */
WRIT_API writ_status writ_type_constructor(writ_vm *vm, writ_host_type *t, const char *signature,
                                           writ_constructor fn, void *ud);
WRIT_API writ_status writ_type_destructor(writ_vm *vm, writ_host_type *t, writ_destructor fn, void *ud);
/* A handle to a host object (owned by the host until writ_release).  vm_owned: the VM runs the
 * destructor when the last reference goes; otherwise the object is lent and never freed by it.
 * When memory runs out the result is a WRIT_VOID value and obj stays the host's to free. */
WRIT_API writ_value writ_host_object(writ_vm *vm, writ_host_type *t, void *obj, bool vm_owned);
/* The C object of a host value, or NULL (not a host value, or invalidated). */
WRIT_API void *writ_host_ptr(writ_value v);
/* Before freeing a lent object: afterwards scripts get "Name object is no longer valid" and
 * Weak.get() returns null.  Cancels nothing by itself (see writ_cancel_owner). */
WRIT_API writ_status writ_invalidate(writ_vm *vm, writ_value v);

/* ---- host globals (runtime.md §8) ---- */
/* A read-only constant of the given type (int, float, bool or string value). */
WRIT_API writ_status writ_define_const(writ_vm *vm, const char *name, writ_value v);
/* A value global the VM holds; scripts may assign it unless read_only.
 * writ_set_global replaces it between entries; writ_get_global reads it
 * (owned).  Both also reach a module's own top-level globals by name. */
WRIT_API writ_status writ_define_global(writ_vm *vm, const char *name, const char *type, writ_value v, bool read_only);
WRIT_API writ_status writ_set_global(writ_vm *vm, const char *module, const char *name, writ_value v);
WRIT_API writ_status writ_get_global(writ_vm *vm, const char *module, const char *name, writ_value *out);
/* A bound variable: scripts read and write the C variable at ptr directly
 * (no callbacks, no copies), with a storage kind and a Writ type that fits
 * it as for writ_type_field ("int", "float", "bool", "Vector2" with
 * WRIT_STORE_FLOATS32/64, ...).  read_only: script assignments are compile
 * errors.  ptr must stay valid while code compiled against it may run. */
WRIT_API writ_status writ_bind_var(writ_vm *vm, const char *name, const char *type, writ_storage storage,
                                   void *ptr, bool read_only);

/* ---- hot reload (runtime.md §11) ---- */
typedef struct writ_reload_info {
    int functions_changed, functions_added, functions_removed;
    int types_kept;                  /* types whose objects live on with the new code */
    int types_migrated;              /* of those, types whose live instances moved to a new layout */
    int globals_added, globals_reinitialised, globals_removed;
} writ_reload_info;
/* Recompiles the load that contains `path` (the file and the files it
 * imported; any of them may be given) while the host keeps running: new
 * calls run the new code, frames already running finish on the old code,
 * globals and objects are kept.  When exactly one file of the load changed
 * on disk and what other files see of it did not (its functions' bodies or
 * its variables' initialisers changed, not its declarations), only that
 * file is compiled; otherwise the whole load.  On a compile error nothing
 * changes and the diagnostics are in writ_error_text (WRIT_ERROR_COMPILE).
 * info may be NULL.  Not allowed while script code of this VM runs (misuse). */
WRIT_API writ_status writ_reload(writ_vm *vm, const char *path, writ_reload_info *info);
/* The same with new source text for a module loaded from a string. */
WRIT_API writ_status writ_reload_string(writ_vm *vm, const char *name, const char *source, size_t len,
                                        writ_reload_info *info);

/* ---- debugging (runtime.md §13) ----
 * Hooks cost nothing until installed.  Inside a hook or the break handler
 * the stack of the running code can be inspected with writ_stack_* and
 * writ_local; level 0 is the innermost script frame. */
typedef enum writ_debug_action {
    WRIT_DEBUG_CONTINUE, WRIT_DEBUG_STEP_OVER, WRIT_DEBUG_STEP_INTO, WRIT_DEBUG_STEP_OUT, WRIT_DEBUG_ABORT,
} writ_debug_action;
typedef struct writ_frame_info { const char *function; const char *file; int line; bool host; } writ_frame_info;
typedef writ_debug_action (*writ_break_fn)(writ_vm *vm, const char *file, int line, void *ud);
typedef void (*writ_line_hook)(writ_vm *vm, const char *file, int line, void *ud);
/* Function entered (is_return false: name, file, line) or left (true). */
typedef void (*writ_call_hook)(writ_vm *vm, const char *function, const char *file, int line, bool is_return, void *ud);
WRIT_API void writ_set_line_hook(writ_vm *vm, writ_line_hook fn, void *ud);
WRIT_API void writ_set_call_hook(writ_vm *vm, writ_call_hook fn, void *ud);
/* Breakpoints stop in the break handler each time execution starts the line. */
WRIT_API void writ_set_break_handler(writ_vm *vm, writ_break_fn fn, void *ud);
WRIT_API writ_status writ_set_breakpoint(writ_vm *vm, const char *file, int line, bool enabled);
WRIT_API bool writ_line_has_code(writ_vm *vm, const char *file, int line);
WRIT_API int writ_stack_depth(writ_vm *vm);
WRIT_API bool writ_stack_frame(writ_vm *vm, int level, writ_frame_info *out);
/* The locals of a frame in scope at its current line: name and value (owned). */
WRIT_API int writ_local_count(writ_vm *vm, int level);
WRIT_API bool writ_local(writ_vm *vm, int level, int index, const char **name, writ_value *value);
/* The structured stack trace of the last runtime error, innermost first. */
WRIT_API int writ_trace_depth(writ_vm *vm);
WRIT_API bool writ_trace_frame(writ_vm *vm, int index, writ_frame_info *out);

/* ---- structured diagnostics (runtime.md §3) ----
 * The diagnostics of the last failed load, check or reload, sorted as in
 * writ_error_text; strings live until the next compile on this VM. */
typedef struct writ_diagnostic {
    const char *file;
    int line, column;              /* 1-based; columns count code points */
    int end_line, end_column;      /* one past the last code point */
    const char *message, *label, *help, *note;   /* label/help/note may be NULL */
} writ_diagnostic;
WRIT_API int writ_diagnostic_count(writ_vm *vm);
WRIT_API bool writ_diagnostic_get(writ_vm *vm, int index, writ_diagnostic *out);

/* Text of the last error (diagnostics or runtime error), "" if none. */
WRIT_API const char *writ_error_text(writ_vm *vm);

WRIT_API const char *writ_version(void);

#ifdef __cplusplus
}
#endif
#endif
