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

/* Allocator hook with Lua's shape: new_size 0 frees; return NULL on failure. */
typedef void *(*writ_alloc_fn)(void *ud, void *ptr, size_t old_size, size_t new_size);
/* Output sink for print. */
typedef void (*writ_write_fn)(void *ud, const char *text, size_t len);

typedef struct writ_config {
    writ_alloc_fn alloc;      /* NULL: libc */
    void *alloc_ud;
    writ_write_fn write;      /* NULL: stdout */
    void *write_ud;
    uint32_t call_depth_limit;/* 0: 10,000 frames */
} writ_config;

/* Fills cfg with the defaults. */
WRIT_API void writ_config_init(writ_config *cfg);
/* Creates a VM; cfg may be NULL for the defaults.  Returns NULL only when
 * the allocator fails. */
WRIT_API writ_vm *writ_vm_new(const writ_config *cfg);
WRIT_API void writ_vm_free(writ_vm *vm);

/* Compiles and runs a file / a named string (its top-level code). */
WRIT_API writ_status writ_load_file(writ_vm *vm, const char *path);
WRIT_API writ_status writ_load_string(writ_vm *vm, const char *name, const char *source, size_t len);
/* Compiles without running. */
WRIT_API writ_status writ_check_file(writ_vm *vm, const char *path);
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

/* Text of the last error (diagnostics or runtime error), "" if none. */
WRIT_API const char *writ_error_text(writ_vm *vm);

WRIT_API const char *writ_version(void);

#ifdef __cplusplus
}
#endif
#endif
