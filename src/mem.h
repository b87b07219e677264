/* mem.h — the one allocation chokepoint.  Every byte the VM, compiler and
 * library allocate goes through mem_realloc, which calls the host's
 * allocator hook and keeps the byte count for the memory limit. */
#ifndef WRIT_MEM_H
#define WRIT_MEM_H

#include "common.h"
#include <setjmp.h>

/* Lua-shaped hook: new_size 0 frees; returns NULL on failure. */
typedef void *(*MemHook)(void *ud, void *ptr, size_t old_size, size_t new_size);

/* Allocation failure (the hook returned NULL) inside a protected region
 * jumps back to it (MEM_PROTECT); the VM's structures are left as they
 * were before the failed call (every resize writes its result after it
 * succeeded), and whatever the abandoned operation allocated stays
 * registered until writ_vm_free frees it.  Outside every region it aborts:
 * each public entry point opens one. */
void *mem_realloc(VM *vm, void *p, size_t old_size, size_t new_size);
/* The same, but NULL on failure (error reporting, which must not jump). */
void *mem_try_realloc(VM *vm, void *p, size_t old_size, size_t new_size);
char *mem_try_strndup(VM *vm, const char *s, size_t n);
/* Parallel arrays *a (elements of ea bytes) and *b (eb bytes) from oldcap to
 * newcap elements: both or, if the allocator fails, neither. */
void mem_grow_pair(VM *vm, void *a, size_t ea, void *b, size_t eb, size_t oldcap, size_t newcap);
/* Frees every block still registered (writ_vm_free, last). */
void mem_free_all(VM *vm);

typedef struct MemGuard { jmp_buf jb; struct MemGuard *prev; } MemGuard;
/* if (MEM_PROTECT(vm, &g)) { the allocator failed: g is already closed } ... mem_unprotect(vm, &g); */
#define MEM_PROTECT(vm, g) ((g)->prev = (vm)->guard, (vm)->guard = (g), setjmp((g)->jb) != 0 && ((vm)->guard = (g)->prev, 1))
#define mem_unprotect(vm, g) ((vm)->guard = (g)->prev)
#define mem_alloc(vm, n) mem_realloc((vm), NULL, 0, (n))
#define mem_free(vm, p, n) ((void)mem_realloc((vm), (p), (n), 0))
void *mem_calloc(VM *vm, size_t n);
char *mem_strndup(VM *vm, const char *s, size_t n);

/* Growable array helpers: VEC_PUSH(vm, ptr, len, cap, value). */
#define VEC_GROW(vm, ptr, len, cap, extra) do { \
    if ((len) + (extra) > (cap)) { \
        size_t nc_ = (cap) ? (cap) * 2 : 8; \
        while (nc_ < (len) + (extra)) nc_ *= 2; \
        (ptr) = mem_realloc((vm), (ptr), sizeof(*(ptr)) * (cap), sizeof(*(ptr)) * nc_); \
        (cap) = nc_; \
    } } while (0)
#define VEC_PUSH(vm, ptr, len, cap, v) do { VEC_GROW(vm, ptr, len, cap, 1); (ptr)[(len)++] = (v); } while (0)
#define VEC_FREE(vm, ptr, cap) do { mem_free((vm), (ptr), sizeof(*(ptr)) * (cap)); (ptr) = NULL; (cap) = 0; } while (0)

/* Bump allocator for everything a compilation builds (tokens, AST, types of
 * one check, diagnostic text): freed in one go. */
typedef struct ArenaBlock ArenaBlock;
typedef struct Arena {
    VM *vm;
    ArenaBlock *head;
} Arena;

void arena_init(Arena *a, VM *vm);
void *arena_alloc(Arena *a, size_t n);          /* zeroed, 16-byte aligned */
void *arena_alloc_raw(Arena *a, size_t n);      /* not zeroed (large arrays filled at once) */
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_printf(Arena *a, const char *fmt, ...) WRIT_PRINTF(2, 3);
void arena_free(Arena *a);
void arena_cache_free(VM *vm);                    /* VM teardown: the cached blocks */

/* Bump allocator for what a load keeps until it is freed as a whole: its
 * protos and their fixed-size facts (names, register lists, debug names).
 * One allocation per few KB instead of several per function, so compiling
 * and freeing a load (hot reload) costs far fewer malloc/free calls.
 * Chunks start small (a REPL line is a load) and double up to 64 KB. */
typedef struct PoolChunk PoolChunk;
typedef struct Pool { PoolChunk *head; } Pool;
void *pool_alloc(VM *vm, Pool *p, size_t n);      /* 16-byte aligned, zeroed */
char *pool_strdup(VM *vm, Pool *p, const char *s);
void pool_free(VM *vm, Pool *p);

/* Growable byte buffer (used for string building and rendering). */
typedef struct Buf {
    VM *vm;
    char *data;
    size_t len, cap;
} Buf;
void buf_init(Buf *b, VM *vm);
void buf_put(Buf *b, const char *s, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_putc(Buf *b, char c);
void buf_printf(Buf *b, const char *fmt, ...) WRIT_PRINTF(2, 3);
void buf_free(Buf *b);

#endif
