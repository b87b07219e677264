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

/* The host's view of a slot of static type t.  retain: the result is a new
 * reference for the host (otherwise borrowed). */
writ_value api_to_writ(VM *vm, Type *t, Value v, bool retain);
/* A host value as a slot of type t (owned: release with val_release).
 * false with a reason ("expected float, found string") on mismatch. */
bool api_from_writ(VM *vm, Type *t, writ_value w, Value *out, char *why, size_t n);
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

void api_free_fn_handles(VM *vm);

/* Host entries (runtime.md §1): the outermost starts a fresh budget. */
void api_entry_begin(VM *vm);
writ_status api_entry_end(VM *vm, bool ok);

#endif
