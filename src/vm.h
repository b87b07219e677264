/* vm.h — the VM object: all interpreter state hangs off it (no globals).
 * The interpreter loop itself lives in vm.c. */
#ifndef WRIT_VM_H
#define WRIT_VM_H

#include "common.h"
#include "mem.h"
#include "types.h"
#include "object.h"

struct Proto;
struct Module;

/* Every module's globals, VM-wide: a module loaded once is shared by every
 * later load that imports it, so its global slots must outlive the load. */
typedef struct Globals {
    Value *globals;
    bool *ginit;
    Type **gtypes;
    char **gnames;
    uint32_t nglobals, cap;
} Globals;

/* A file already loaded in this VM: later imports of it reuse it. */
typedef struct LoadedFile {
    char *path;
    struct Program *prog;   /* checked (symbols and exports stay in the load's arena) */
} LoadedFile;

/* One activation record on the VM-managed frame stack (never the C stack). */
typedef struct Frame {
    struct Proto *proto;
    Closure *closure;       /* NULL for direct calls of top-level functions */
    uint32_t *pc;           /* saved pc (next instruction) */
    size_t base;            /* index of R[0] in vm->stack */
    uint32_t ret_reg;       /* caller's destination register (| 0x100: a reference) */
    int32_t inout_reg;      /* caller's register that receives R[0] back (mutating methods), or -1 */
    bool hidden;            /* library frame: not counted, not shown */
} Frame;

struct writ_vm {
    /* memory */
    MemHook alloc;
    void *alloc_ud;
    size_t bytes;           /* currently allocated */
    size_t mem_limit;       /* 0 = none */
    bool mem_failed;

    TypeTable types;

    /* deferred frees: obj_free pushes children here and drains in a loop */
    Obj **freeing;
    size_t nfreeing, capfreeing;
    bool draining;
    Obj *tracked;           /* instances, closures, cells: list for freeing cycles at teardown */

    /* register stack and frames */
    Value *stack;
    size_t stack_cap;
    Frame *frames;
    size_t nframes, cap_frames;
    uint32_t depth_limit;
    uint64_t insn_limit;
    uint64_t insn_budget;

    /* runtime error state */
    bool has_error;
    char *error_msg;        /* set by rt_error (owned, mem_ allocated) */
    size_t error_msg_size;
    char *error_text;       /* rendered message + trace */
    size_t error_text_size;

    /* output */
    void (*write)(void *ud, const char *s, size_t n);
    void *write_ud;

    /* loaded modules */
    struct Module **modules;
    size_t nmodules, cap_modules;
    Globals g;
    LoadedFile *loaded; size_t nloaded, cap_loaded;
    struct Arena **arenas; size_t narenas, cap_arenas;   /* compile data of loaded modules */
    void **results; size_t nresults, cap_results;        /* their checker results (CheckResult) */
};

#endif
