/* chunk.h — compiled code: a Proto per function (code, constants, type
 * operands, line table, register facts) and the Module that owns them and
 * its globals.  The VM needs nothing from the front end but this. */
#ifndef WRIT_CHUNK_H
#define WRIT_CHUNK_H

#include "common.h"
#include "types.h"
#include "rt.h"
#include "diag.h"

typedef struct Module Module;

/* Where a closure's capture comes from when CLOSURE runs. */
typedef struct CapSrc {
    uint8_t from_cap;   /* 0: enclosing register; 1: enclosing closure's capture */
    uint8_t index;
} CapSrc;

/* A local variable for debuggers: live in registers while pc is in [start, end). */
typedef struct LocalDebug {
    const char *name;        /* in the module's pool */
    Type *type;
    uint32_t start, end;
    uint8_t reg;
    bool in_cell;            /* captured and reassigned: the register holds a Cell */
} LocalDebug;

/* A Proto, its name and its fixed-size facts (refregs, param_is_ref,
 * cap_is_ref, debug names) live in its module's pool; the growable arrays
 * are allocated one by one. */
typedef struct Proto {
    const char *name;        /* display name: "f", "<lambda>", "<script>" */
    const char *file;        /* source file (traces); owned by the module */
    Module *module;
    uint32_t *code; uint32_t ncode, capcode;
    uint32_t *entry;         /* where calls start: code, or a hot-reload forwarder (reload.c) */
    uint32_t *lines;         /* source line per code word */
    Value *consts; uint32_t nconsts, capconsts;
    bool *const_is_str;      /* which constants are Str* (owned) */
    Type **types; uint32_t ntypes, captypes;
    struct Proto **protos; uint32_t nprotos, capprotos;  /* callees / closure bodies */
    const LibFn **natives; uint32_t nnatives, capnatives;
    CapSrc **caplists; uint32_t *caplens; uint32_t ncaplists, capcaplists;
    uint32_t nregs, nparams;
    uint8_t *refregs; uint32_t nrefregs;  /* owned reference registers, released at exit */
    uint32_t nrefnull;       /* the first nrefnull of them are nulled at entry (the rest are parameters) */
    bool *param_is_ref;      /* parameter kinds (borrowed: not released) */
    bool *cap_is_ref; uint32_t ncap;
    bool ret_is_ref;
    bool hidden;             /* library frame: not counted, not shown */
    bool is_lambda;
    bool is_toplevel;        /* a module's top-level function */
    bool inout_self;         /* mutating struct method: R[0] is owned and handed back to the caller */
    bool is_coroutine;       /* its body yields: the host starts it as a task */
    Type *ftype;             /* its function type (host calls check arguments against it) */
    uint32_t nrequired;      /* declared parameters without a default (receiver not counted) */
    struct Proto **defaults; /* per declared parameter: a thunk computing its default, or NULL */
    bool variadic;           /* the last declared parameter is variadic */
    LocalDebug *dlocals; uint32_t ndlocals, capdlocals;   /* debug info (debug.c) */
    uint64_t gen;            /* the code generation it belongs to (hot reload: field layouts it saw) */
    Closure *cached;         /* top-level functions: their one closure value (f == f) */
} Proto;

/* A top-level function or static method, by name, for host lookups. */
typedef struct ModFn {
    const char *file;        /* the module's name as given to the loader */
    const char *name;        /* "f" or "Type.m" (owned by the module) */
    Proto *proto;
} ModFn;

struct Module {
    const char *name;        /* file as given */
    Source src;
    char *text;              /* owned source text */
    uint32_t first_global, nglobals;    /* its slots in the VM's global table (vm->g) */
    Proto *script;           /* the main module's top-level code */
    Proto **scripts; uint32_t nscripts;   /* every module of the load, imports first */
    Proto **all_protos; uint32_t nprotos, capprotos;  /* every proto, for freeing */
    uint32_t *kept; uint32_t nkept;                    /* global slots taken over from the load it reloaded */
    bool replaced;                                     /* a hot reload installed a newer load of it */
    bool from_string;                                  /* loaded from a string: imports start at the root directory */
    bool pinned;                                       /* kept for good (retire.c) */
    bool used_elsewhere, retirable;                    /* retire.c: other loads or types use its protos; ... */
    uint32_t nclosures;                                /* live closures of its protos (retire.c) */
    Pool pool;                                         /* its protos and their fixed facts (mem.h) */
    ModFn *fns; uint32_t nfns, capfns;                 /* host-callable functions */
    char **files; char **texts; size_t *textlens; uint32_t nfiles, capfiles;  /* imported sources */
    uint64_t fp, *fps;                                 /* interface fingerprints: name's, files' (iface.c) */
    Module *family;                                    /* a file reload's load: the load of several files it split off */
    Module **against; uint32_t nagainst;               /* loads it imported from: its syntax trees point into theirs */
};

/* A load's global slots: its own range, then those it took over from the load it reloaded. */
static inline uint32_t module_nglobals(const Module *m) { return m->nglobals + m->nkept; }
static inline uint32_t module_global(const Module *m, uint32_t k) {
    return k < m->nglobals ? m->first_global + k : m->kept[k - m->nglobals];
}

Proto *proto_new(VM *vm, Module *m, const char *name);
void proto_free(VM *vm, Proto *p);
void module_free(VM *vm, Module *m);

#endif
