/* api.h — internals shared by the embedding API files (api*.c, host.c):
 * the conversion between the VM's untagged slots and writ_value, and the
 * error helpers every API function reports through. */
#ifndef WRIT_API_INTERNAL_H
#define WRIT_API_INTERNAL_H

#include "../include/writ.h"
#include "vm.h"
#include "rt.h"

/* Records "error: MSG" as the error text and returns WRIT_ERROR_MISUSE. */
writ_status api_misuse(VM *vm, const char *fmt, ...) WRIT_PRINTF(2, 3);
void api_set_error_text(VM *vm, const char *s, size_t n);
/* Takes ownership of s (size bytes); NULL: "error: out of memory" (static). */
void api_set_error_text_owned(VM *vm, char *s, size_t size);

/* ---- allocation failure (mem.h) at the API boundary ----
 * Every public function that allocates runs its body inside API_PROTECT.
 * If the allocator fails, the VM goes back to the state saved at entry:
 * tasks entered since end as failed, frames above are released, nesting
 * counters are restored, and the error is "out of memory" (a limit, with
 * the trace of what ran).  What the cut-short operation had allocated
 * stays registered until writ_vm_free. */
typedef struct ApiEntry {
    MemGuard g;
    size_t nframes;
    Task *installed, *running;
    uint32_t entry_depth, host_nesting, depth_base;
    bool in_destructor, ticking, in_handler, draining;
    struct ReloadCtx *reload;
} ApiEntry;
void api_entry_save(VM *vm, ApiEntry *e);
void api_recover(VM *vm, ApiEntry *e);
void vm_recover(VM *vm, size_t nframes, Task *installed);
/* if (API_PROTECT(vm, &e)) { failed: recovered, e closed } ... API_UNPROTECT(vm, &e); */
#define API_PROTECT(vm, e) (api_entry_save((vm), (e)), setjmp((e)->g.jb) != 0 && (api_recover((vm), (e)), 1))
#define API_UNPROTECT(vm, e) ((vm)->guard = (e)->g.prev)
/* The body of a public function (its parameter `vm`): call, protected; on
 * failure return fail.  A NULL vm goes straight to call (it reports misuse). */
#define API_GUARDED(T, fail, call) do { \
        if (!vm) return call; \
        ApiEntry e_; \
        if (API_PROTECT(vm, &e_)) return fail; \
        T r_ = call; \
        API_UNPROTECT(vm, &e_); \
        return r_; \
    } while (0)
#define API_GUARDED_VOID(call) do { \
        if (!vm) { call; return; } \
        ApiEntry e_; \
        if (API_PROTECT(vm, &e_)) return; \
        call; \
        API_UNPROTECT(vm, &e_); \
    } while (0)

/* The host's view of a slot of static type t.  retain: the result is a new
 * reference for the host (otherwise borrowed). */
writ_value api_to_writ(VM *vm, Type *t, Value v, bool retain);
/* A host value as a slot of type t (owned: release with val_release).
 * false with a reason ("expected float, found string") on mismatch. */
bool api_from_writ(VM *vm, Type *t, writ_value w, Value *out, char *why, size_t n);
/* writ_type_of without its API_PROTECT (for API functions already inside one). */
const writ_type *api_type_of(writ_vm *vm, const char *spelling);
static inline writ_value api_no_value(void) { writ_value w; memset(&w, 0, sizeof w); return w; }
/* The writ_kind of values of static type t (WRIT_VOID for types the API has no kind for). */
writ_kind api_kind_of(const Type *t);
/* The spelling of a host value's type for messages. */
const char *api_kind_name(writ_value w);

/* Extra inputs and outputs of one load, for the REPL (src/repl.c). */
typedef struct LoadHooks {
    const struct ChkSession *session;   /* in: earlier entries' names (chk_modules) */
    bool display;                 /* in: a lone expression statement of non-void type is the value */
    bool compiled;                /* out: checked and compiled (then it ran, maybe failing) */
    struct Sym **top; uint32_t ntop;  /* out when compiled: its top-level names (caller frees, mem_free) */
    bool has_value;               /* out: the lone expression ran: value (owned) of value_type */
    struct Type *value_type;
    Value value;
} LoadHooks;
/* Compiles the library preludes whose exported names occur in text (a host
 * signature or type spelling) and that the VM lacks. */
writ_status api_want_preludes(VM *vm, const char *text);
/* Compiles and (run) executes a file or string and its imports; takes
 * ownership of text.  h may be NULL.  from_string: the text did not come
 * from the file `name`, so its imports resolve from the root directory. */
writ_status api_load(VM *vm, const char *name, char *text, size_t len, bool run, bool from_string, LoadHooks *h);
/* Loading (api.c): read a file;
 * a file's identity in the registry of loaded files (owned string). */
writ_status api_read_file(VM *vm, const char *path, char **out, size_t *len);
char *api_module_key(VM *vm, const char *name);
/* The registry entry of a loaded file by its key (newest first), or NULL. */
LoadedFile *api_loaded(VM *vm, const char *key);

void api_free_fn_handles(VM *vm);

/* Host entries (runtime.md §1): the outermost starts a fresh budget. */
void api_entry_begin(VM *vm);
writ_status api_entry_end(VM *vm, bool ok);

#endif
