/* vm.h — the VM object: all interpreter state hangs off it (no globals).
 * The interpreter loop itself lives in vm.c. */
#ifndef WRIT_VM_H
#define WRIT_VM_H

#include "common.h"
#include "mem.h"
#include "types.h"
#include "object.h"
#include "../include/writ.h"

struct Proto;
struct Module;
struct NoiseState;

/* The random module's xoshiro256** state (lib/random.c). */
typedef struct Rng { uint64_t s[4]; } Rng;

/* Every module's globals, VM-wide: a module loaded once is shared by every
 * later load that imports it, so its global slots must outlive the load. */
typedef struct Globals {
    Value *globals;
    bool *ginit;
    Type **gtypes;
    char **gnames;
    const char **gfiles;    /* declaring module's name (owned by its load), NULL for host globals */
    uint32_t nglobals, cap;
} Globals;

/* Room for `need` global slots.  The five arrays are replaced together or
 * not at all (an allocation failure leaves them as they were). */
void vm_globals_reserve(VM *vm, uint32_t need);

/* A file already loaded in this VM: later imports of it reuse it. */
typedef struct LoadedFile {
    char *path;
    struct Program *prog;   /* checked (symbols and exports stay in the load's arena) */
    struct Module *mod;     /* the load whose arena holds it (NULL while a reload re-checks) */
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

/* One line of a runtime error's stack trace, innermost first. */
typedef struct TraceFrame {
    const char *fn;         /* "f", "Type.m", "<lambda>", "<script>" (owned by the proto) */
    const char *file;
    uint32_t line;
    bool host;              /* a host function: "at NAME (host)" */
} TraceFrame;

/* A task (language.md §21): a coroutine and the children it awaits, on a
 * stack of their own.  An await is an ordinary call on that stack; `yield`
 * suspends the whole stack.  While the task runs, its stack is installed in
 * the VM and these fields hold the stack of the context that resumed it
 * (swapped back on suspension or end), so switching costs a few moves. */
typedef enum TaskState { TASK_RUNNING, TASK_SUSPENDED, TASK_DONE, TASK_CANCELLED, TASK_FAILED } TaskState;
typedef struct Task {
    Obj h;
    Value *stack; size_t stack_cap;
    Frame *frames; size_t nframes, cap_frames;
    struct Task *resumer;       /* running: the task it interrupts (NULL: a host context) */
    size_t resumer_stop;        /* running: the resumer context's bottom frame count */
    size_t saved_depth_base;
    bool host_resumed;          /* running: suspension returns to C (a tick, a host start) */
    bool cancel_requested;      /* cancelled while running: stops at its next suspension */
    uint8_t state;              /* TaskState */
    uint8_t wait_kind;          /* WaitKind while suspended */
    double wait_secs, wait_acc;
    int64_t wait_frames;
    Closure *wait_cond;         /* counted */
    WaitObj *wait_host;         /* WAIT_HOST: the host's wait (counted) */
    Instance *owner;            /* counted; NULL: unowned */
    struct Proto *entry;        /* the started coroutine: its parameters are owned by the task */
    Value result;               /* once done (owned if result_is_ref) */
    bool has_result, result_is_ref;
    size_t slot;                /* index in vm->tasks */
    struct Task *outer;         /* running: the task installed before it (NULL: a host stack) */
} Task;

/* The debugger (debug.c): hooks, breakpoints and the stepping state. */
typedef struct Breakpoint { char *file; uint32_t line; } Breakpoint;
enum { STEP_NONE, STEP_INTO, STEP_OVER, STEP_OUT };
typedef struct Debugger {
    writ_line_hook line; void *line_ud;
    writ_call_hook call; void *call_ud;
    writ_break_fn brk; void *brk_ud;
    Breakpoint *bps; size_t nbps, capbps;
    int step; size_t step_depth;
    bool in_handler;
    /* the last instruction seen: new lines, calls and returns are changes of it */
    struct Proto *last_proto; uint32_t last_line, last_at; size_t last_depth;
} Debugger;

struct writ_vm {
    /* memory */
    MemHook alloc;
    void *alloc_ud;
    size_t bytes;           /* currently allocated */
    size_t mem_limit;       /* 0 = none */
    bool mem_failed;
    /* every live block (mem.c): an aborted operation's blocks are freed at teardown */
    uintptr_t *blocks; size_t nblocks, capblocks, free_slot;
    struct MemGuard *guard;     /* innermost protected region: allocation failure jumps here */
    bool alloc_failed;          /* the allocator failed at least once (mem_free_all may find blocks) */

    TypeTable types;
    uint64_t lib_on;        /* bit m: library module lib_modules[m] is enabled */

    /* deferred frees: obj_free pushes children here and drains in a loop */
    Obj **freeing;
    size_t nfreeing, capfreeing;
    bool draining;
    bool closing;           /* writ_vm_free runs: modules may already be gone */
    bool alloc_is_libc;     /* no allocator hook given: big arena blocks may be mapped directly (mem.c) */
    Obj *tracked;           /* instances, closures, cells: list for freeing cycles at teardown */
    struct Instance *ipool[INST_POOL_CLASSES];   /* free instance blocks by field count (object.c) */
    uint32_t nipool[INST_POOL_CLASSES];

    /* register stack and frames */
    Value *stack;
    size_t stack_cap;
    Frame *frames;
    size_t nframes, cap_frames;
    uint32_t depth_limit;
    uint32_t depth_base;    /* frames of the contexts below the running one (tasks) */
    uint64_t insn_limit;    /* per host entry; 0 = none */
    uint64_t insn_count;    /* executed in the current host entry (counted only with a limit) */
    bool watch;             /* a limit or hook is installed: instructions pass vm_watch */
    bool debug_on;          /* a debug hook or breakpoint is installed (debug.c) */
    Debugger dbg;
    uint32_t entry_depth;   /* nesting of host entries (API calls running script code) */
    uint64_t code_generation;   /* bumped by every hot reload: function handles re-resolve */
    struct ReloadCtx *reload;   /* while a hot reload compiles (reload.c) */
    uint8_t *gdead; size_t capgdead;   /* global slots a hot reload removed (bitmap) */
    bool in_destructor;     /* a host destructor runs: calling into the VM is misuse */

    /* runtime error state */
    bool has_error;
    bool error_is_limit;    /* the last error was an instruction, memory or depth limit */
    char *error_msg;        /* set by rt_error (owned, mem_ allocated) */
    size_t error_msg_size;
    TraceFrame *trace; size_t ntrace, cap_trace;   /* the last runtime error's frames */
    char *error_text;       /* rendered message + trace (error_text_size 0: a static text) */
    char *display_text; size_t display_size;   /* writ_display's last result */
    writ_diagnostic *diags; size_t ndiags;     /* the last compile's diagnostics (strings owned) */
    size_t error_text_size;

    /* coroutine scheduler (sched.c): tasks in start order, NULL = ended */
    Task **tasks; size_t ntasks, cap_tasks, nlive_tasks;
    Task *running;          /* the innermost running task, or NULL */
    Task *installed;        /* the task whose stack is installed (NULL: the VM's own) */
    bool ticking;
    double (*tick_source)(void *ud);   /* tick source mode (NULL: manual) */
    void *tick_ud;
    double tick_last;
    bool tick_have;
    double game_time;
    int64_t frame_count;

    /* host registrations (host.c) */
    struct HostFn **hostfns; size_t nhostfns, caphostfns;
    struct HostGlobal **hostglobals; size_t nhostglobals, caphostglobals;
    struct HostType **hosttypes; size_t nhosttypes, caphosttypes;
    uint32_t host_nesting;  /* host functions running (re-entry cap) */
    struct writ_fn **fnhandles; size_t nfnhandles, capfnhandles;   /* writ_function handles, freed at teardown */

    /* input (readLine) and the io root (lib/io.c) */
    writ_read_fn read; void *read_ud;
    char *in_buf; size_t in_len, in_pos, in_cap;
    char *root_dir;

    /* output */
    void (*write)(void *ud, const char *s, size_t n);
    void *write_ud;

    /* loaded modules */
    struct Module **modules;
    size_t nmodules, cap_modules;
    Globals g;
    LoadedFile *loaded; size_t nloaded, cap_loaded;
    struct FileStamp *stamps; size_t nstamps, capstamps; /* files known equal to a load's text (reload.c) */
    struct Arena **arenas; size_t narenas, cap_arenas;   /* compile data of loaded modules */
    struct Arena *loading_arena;                         /* the compile in progress (freed if the allocator fails) */
    struct ArenaBlock *arena_cache; size_t arena_cached; /* blocks of freed arenas, for reuse (mem.c) */
    char **files; size_t nfiles, capfiles;               /* module names for globals' owners (interned) */
    void **results; size_t nresults, cap_results;        /* their checker results (CheckResult) */

    /* library module state */
    Rng rng;                         /* random (lib/random.c): seeded from the clock at creation */
    struct NoiseState *noise;        /* noise (lib/noise.c): made on first use, NULL until then */
};

#endif
