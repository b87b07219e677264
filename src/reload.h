/* reload.h — hot reload (runtime.md §11) as the checker, compiler and
 * loader see it: while a reload compiles, vm->reload points at this
 * context.  Design and current limits: docs/design.md "Hot reload". */
#ifndef WRIT_RELOAD_H
#define WRIT_RELOAD_H

#include "vm.h"
#include "chunk.h"
#include "diag.h"
#include "../include/writ.h"

typedef struct ReloadType {
    Type *type;              /* a type of the replaced load, kept by identity */
    const char *file;        /* the file declaring it (NULL: a generic instance) */
    NominalInfo *old_nom;    /* its facts before the reload (restored if the reload fails) */
    void *old_decl;
    bool reused;
    int32_t *map; uint32_t nmap;   /* old dispatch slot (class, trait) or enum field -> new one, or SLOT_GONE / SLOT_CHANGED */
    bool remap;              /* map is not the identity: old code is rewritten */
    bool shape_changed;      /* dispatch slots differ in any way (appended ones too) */
} ReloadType;

#define SLOT_GONE (-1)
#define SLOT_CHANGED (-2)

typedef struct ReloadCtx {
    Module *old;             /* the load being replaced */
    Module **olds; uint32_t nolds;   /* old and the loads earlier file reloads split off it (reload.c) */
    const char *only_file;   /* a file reload: the one file recompiled (as its load names it); NULL: the whole load */
    uint64_t want_fp;        /* ... and the interface fingerprint its new text must keep */
    bool abort_file;         /* the file reload cannot be done alone after all: the whole load is */
    ReloadType *types; uint32_t ntypes, captypes;
    char **skip; uint32_t nskip, capskip;     /* registry keys recompiled rather than imported */
    uint8_t *kept;           /* per global slot: taken over by the new load (its initialiser does not run) */
    size_t kept_size;
    uint32_t *kept_slots; uint32_t nkept, capkept;
    writ_reload_info info;
    bool committed;
    const char *memo_file; bool memo_result;   /* recompiled(): the last file asked about */
    struct Module **deps; uint32_t ndeps; bool deps_done;   /* live loads importing the reloaded files */
    uint32_t *gidx; uint32_t gmask;           /* the old load's global slots + 1 by name (open addressing) */
    uint32_t *tidx; uint32_t tmask;           /* types[] indexes + 1: by name in [0, tmask], by Type in [tmask + 1, 2 tmask + 1] */
} ReloadCtx;

/* The live loads that import a file of the reloaded load, directly or not,
 * in load order (computed once per reload, before the commit). */
struct Module **reload_dependents(VM *vm, uint32_t *n);

/* Checker: a type of the replaced load with this name and kind, declared
 * in `file` (NULL: a generic instance), reused with fresh facts; NULL when
 * there is none (a new type). */
Type *reload_reuse_type(VM *vm, const char *name, TypeKind k, const char *file);
/* Whether this reload reused type t (it is rolled back if the reload fails). */
bool reload_reused(VM *vm, Type *t);
/* Checker, for a reused enum: orders the declaration's variants so that
 * the old ones keep their ids (the stored values) and new ones come after;
 * the declaration order is kept as the type's ordinals. */
struct TypeDecl;
void reload_order_variants(VM *vm, Type *t, struct TypeDecl *td);
/* Compiler: the slot of the replaced load's global with this name and
 * type (its value is kept), or -1. */
int reload_keep_global(VM *vm, const char *name, const char *file, Type *t);
/* Compiler: whether this global slot keeps its value (its initialiser is skipped). */
bool reload_kept(VM *vm, uint32_t slot);
/* Loader: whether an import of this registry key is recompiled. */
bool reload_skips(VM *vm, const char *key);
/* Loader, after code generation succeeded: checks what v1 cannot migrate
 * and installs the new code (forwarders, globals).  false with a
 * diagnostic in d: nothing was changed. */
bool reload_commit(VM *vm, Module *m, Diags *d, const Source *src);

/* retire.c, after a reload replaced `old`: keep: it compiled library
 * preludes that stay in use, so it is never freed. */
void reload_note_replaced(VM *vm, Module *old, bool keep);
/* Whether load m runs the newest code of its file f (no file reload split f off it). */
bool reload_compiles_newest(VM *vm, Module *m, const char *f);
/* Whether another load's compile data points into m's (it imported from m). */
bool reload_compile_data_needed(VM *vm, Module *m);
/* frees every replaced load that nothing can run or name any more. */
void reload_retire(VM *vm);

/* Frees the file stamps a reload keeps (writ_vm_free). */
void reload_free_stamps(VM *vm);

/* Name lookups of the API (functions, globals): every file of every live
 * load, newest load first, a load split by file reloads counting as one
 * load; within it the main file first, then its imports, last imported
 * first.  Calls fn with the load running the file's newest code, the
 * file's name as that load spells it, and the load's root (whose main file
 * names it), until fn returns true. */
typedef bool (*reload_file_fn)(VM *vm, Module *owner, const char *file, Module *root, void *ud);
bool reload_each_file(VM *vm, reload_file_fn fn, void *ud);

/* VM (code older than a layout change): the current slot of field `slot`
 * of the layout that code saw, or -1 after rt_error (removed or retyped). */
int reload_old_slot(VM *vm, Type *t, uint64_t gen, uint32_t slot);
/* VM: gives the fields that code of generation gen does not know their
 * defaults.  false after rt_error. */
bool reload_fill_new_fields(VM *vm, Instance *o, uint64_t gen);

#endif
