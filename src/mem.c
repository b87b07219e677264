#define _DEFAULT_SOURCE 1
/* mem.c — the allocation chokepoint (hook + accounting + memory limit),
 * the compile arena and the growable byte buffer. */
#include "mem.h"
#include "vm.h"
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WRIT_ASAN 1
#endif
#endif

/* Each block starts with a header: its size (frees of leftover blocks
 * pass the hook the right old_size) and its index in vm->blocks, the table
 * of live blocks.  A freed entry joins a list of free entries threaded
 * through the table (odd values: (next + 1) << 1 | 1; vm->free_slot is the
 * first + 1), so freeing touches no other block. */
typedef struct MemHdr { size_t index, size; } MemHdr;
#define HDR sizeof(MemHdr)
#define HDR_OF(p) ((MemHdr *)((char *)(p) - HDR))

/* Room for one more registered block; false if the table cannot grow. */
static bool reserve_slot(VM *vm) {
    if (vm->free_slot || vm->nblocks < vm->capblocks) return true;
    size_t nc = vm->capblocks ? vm->capblocks * 2 : 256;
    uintptr_t *t = vm->alloc(vm->alloc_ud, vm->blocks, sizeof(uintptr_t) * vm->capblocks, sizeof(uintptr_t) * nc);
    if (!t) { vm->alloc_failed = true; return false; }
    vm->blocks = t;
    vm->capblocks = nc;
    return true;
}

/* A reserved entry for block h. */
static void take_slot(VM *vm, MemHdr *h) {
    size_t i;
    if (vm->free_slot) {
        i = vm->free_slot - 1;
        vm->free_slot = vm->blocks[i] >> 1;
    } else {
        i = vm->nblocks++;
    }
    vm->blocks[i] = (uintptr_t)h;
    h->index = i;
}

void *mem_try_realloc(VM *vm, void *p, size_t old_size, size_t new_size) {
    MemHdr *h = p ? HDR_OF(p) : NULL;
#if defined(__SANITIZE_ADDRESS__) || defined(WRIT_ASAN)
    if (h && h->size != old_size) {      /* the hook's contract: old_size is the block's size */
        fprintf(stderr, "writ: block of %zu bytes resized or freed as %zu\n", h->size, old_size);
        abort();
    }
#endif
    if (new_size == 0) {
        if (!h) return NULL;
        size_t i = h->index;
        vm->blocks[i] = (uintptr_t)vm->free_slot << 1 | 1;
        vm->free_slot = i + 1;
        vm->alloc(vm->alloc_ud, h, old_size + HDR, 0);
        vm->bytes -= old_size;
        return NULL;
    }
    if (new_size > old_size && vm->mem_limit && vm->bytes + (new_size - old_size) > vm->mem_limit
        && !vm->draining) {
        vm->mem_failed = true;
    }
    if (!h && !reserve_slot(vm)) return NULL;
    MemHdr *r = vm->alloc(vm->alloc_ud, h, h ? old_size + HDR : 0, new_size + HDR);
    if (!r) { vm->alloc_failed = true; return NULL; }
    if (h) vm->blocks[r->index] = (uintptr_t)r;       /* moved (the header came along) */
    else take_slot(vm, r);
    r->size = new_size;
    vm->bytes += new_size - old_size;
    return (char *)r + HDR;
}

void *mem_realloc(VM *vm, void *p, size_t old_size, size_t new_size) {
    void *r = mem_try_realloc(vm, p, old_size, new_size);
    if (likely(r != NULL) || new_size == 0) return r;
    vm->alloc_failed = true;
    if (vm->guard) longjmp(vm->guard->jb, 1);
    fflush(stdout);
    fprintf(stderr, "writ: out of memory (%zu bytes) outside a protected call\n", new_size);
    abort();
}

void mem_grow_pair(VM *vm, void *a, size_t ea, void *b, size_t eb, size_t oldcap, size_t newcap) {
    void **pa = a, **pb = b;
    char *na = mem_alloc(vm, ea * newcap);
    char *nb = mem_alloc(vm, eb * newcap);
    if (oldcap) {
        memcpy(na, *pa, ea * oldcap);
        memcpy(nb, *pb, eb * oldcap);
        mem_free(vm, *pa, ea * oldcap);
        mem_free(vm, *pb, eb * oldcap);
    }
    *pa = na;
    *pb = nb;
}

char *mem_try_strndup(VM *vm, const char *s, size_t n) {
    char *d = mem_try_realloc(vm, NULL, 0, n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

/* Blocks nothing owns any more: what operations cut short by an allocation
 * failure had allocated (nothing, after a VM that never failed). */
void mem_free_all(VM *vm) {
    size_t left = 0;
    while (vm->nblocks) {
        uintptr_t e = vm->blocks[--vm->nblocks];
        if (e & 1) continue;                       /* a free entry */
        MemHdr *h = (MemHdr *)e;
        left++;
#if defined(__SANITIZE_ADDRESS__) || defined(WRIT_ASAN)
        if (!vm->alloc_failed) {     /* a real leak: the sanitizer build says so */
            fprintf(stderr, "writ: a block of %zu bytes still allocated at teardown\n", h->size);
            abort();
        }
#endif
        vm->bytes -= h->size;
        vm->alloc(vm->alloc_ud, h, h->size + HDR, 0);
    }
    (void)left;
    if (vm->blocks) vm->alloc(vm->alloc_ud, vm->blocks, sizeof(uintptr_t) * vm->capblocks, 0);
    vm->blocks = NULL;
    vm->capblocks = 0;
    vm->free_slot = 0;
}

void *mem_calloc(VM *vm, size_t n) {
    void *p = mem_alloc(vm, n);
    memset(p, 0, n);
    return p;
}

char *mem_strndup(VM *vm, const char *s, size_t n) {
    char *d = mem_alloc(vm, n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

/* ---- arena ---- */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WRIT_ASAN 1
#endif
#endif

struct ArenaBlock {
    ArenaBlock *next;
    size_t size, used;
    bool mapped;             /* from block_map (munmap), not the allocator hook */
    _Alignas(16) unsigned char data[];
};

/* Blocks start small (hot reload compiles small files often) and double up
 * to 4 MB; big blocks ask Linux for transparent huge pages, which removes
 * most of the page-fault cost of compiling large programs. */
#define ARENA_BLOCK 65536
#define ARENA_BLOCK_MAX (4u << 20)

void arena_init(Arena *a, VM *vm) { a->vm = vm; a->head = NULL; }

/* A big block on 2 MB boundaries, when the VM uses the C allocator: all of
 * it can be transparent huge pages (a malloc'd block is only page aligned,
 * so up to half of it took 4 KB pages, one fault each: most of the cost of
 * compiling a large program).  NULL: use the allocator hook. */
#define HUGE_PAGE ((size_t)2 << 20)
static ArenaBlock *block_map(VM *vm, size_t *sz) {
#if defined(__linux__) && defined(MADV_HUGEPAGE) && !defined(WRIT_ASAN) && !defined(__SANITIZE_ADDRESS__)
    if (!vm->alloc_is_libc) return NULL;
    size_t len = (sizeof(ArenaBlock) + *sz + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    unsigned char *p = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    unsigned char *start = (unsigned char *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (start > p) munmap(p, (size_t)(start - p));
    if (p + len + HUGE_PAGE > start + len) munmap(start + len, (size_t)(p + len + HUGE_PAGE - (start + len)));
    madvise(start, len, MADV_HUGEPAGE);
    if (vm->mem_limit && vm->bytes + len > vm->mem_limit && !vm->draining) vm->mem_failed = true;
    vm->bytes += len;
    ArenaBlock *b = (ArenaBlock *)start;
    b->mapped = true;
    *sz = len - sizeof(ArenaBlock);
    return b;
#else
    (void)vm; (void)sz;
    return NULL;
#endif
}

static void block_free(VM *vm, ArenaBlock *b) {
    size_t len = sizeof(ArenaBlock) + b->size;
#if defined(__linux__)
    if (b->mapped) {
        munmap(b, len);
        vm->bytes -= len;
        return;
    }
#endif
    mem_free(vm, b, len);
}

void *arena_alloc(Arena *a, size_t n) {
    void *p = arena_alloc_raw(a, n);
    memset(p, 0, (n + 15) & ~(size_t)15);
    return p;
}

void *arena_alloc_raw(Arena *a, size_t n) {
    n = (n + 15) & ~(size_t)15;
    ArenaBlock *b = a->head;
    if (!b || b->used + n > b->size) {
        size_t grow = b ? (b->size * 2 > ARENA_BLOCK_MAX ? ARENA_BLOCK_MAX : b->size * 2) : ARENA_BLOCK;
        size_t sz = n > grow / 2 ? n : grow;
        b = NULL;
        /* a block an earlier compile freed: already mapped, no page faults (hot reload) */
        for (ArenaBlock **pp = (ArenaBlock **)&a->vm->arena_cache; *pp; pp = &(*pp)->next)
            if ((*pp)->size >= sz && (*pp)->size <= 2 * sz) {
                b = *pp;
                *pp = b->next;
                a->vm->arena_cached -= sizeof(ArenaBlock) + b->size;
                sz = b->size;
                break;
            }
        if (!b && sz >= ARENA_BLOCK_MAX) b = block_map(a->vm, &sz);
        if (!b) {
            b = mem_alloc(a->vm, sizeof(ArenaBlock) + sz);
            b->mapped = false;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
            if (sz >= ARENA_BLOCK_MAX) {
                uintptr_t lo = ((uintptr_t)b + 4095) & ~(uintptr_t)4095;
                uintptr_t hi = ((uintptr_t)b + sizeof(ArenaBlock) + sz) & ~(uintptr_t)4095;
                if (hi > lo) madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
            }
#endif
        }
        b->size = sz;
        b->used = 0;
        if (a->head && n > ARENA_BLOCK / 2) {  /* keep filling the current block */
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n) {
    char *d = arena_alloc(a, n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

char *arena_printf(Arena *a, const char *fmt, ...) {
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *d = arena_alloc(a, (size_t)n + 1);
    vsnprintf(d, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return d;
}

/* Blocks go back to a small per-VM cache (up to 32 MB) for the next
 * compile; the rest is freed. */
#if defined(__SANITIZE_ADDRESS__) || defined(WRIT_ASAN)
#define ARENA_CACHE_MAX ((size_t)0)      /* sanitizer builds: freed blocks really go, so use-after-free shows */
#else
#define ARENA_CACHE_MAX ((size_t)32 << 20)
#endif

void arena_free(Arena *a) {
    VM *vm = a->vm;
    ArenaBlock *b = a->head;
    while (b) {
        ArenaBlock *n = b->next;
        size_t sz = sizeof(ArenaBlock) + b->size;
        if (vm->arena_cached + sz <= ARENA_CACHE_MAX) {
            b->next = vm->arena_cache;
            vm->arena_cache = b;
            vm->arena_cached += sz;
        } else {
            block_free(vm, b);
        }
        b = n;
    }
    a->head = NULL;
}

void arena_cache_free(VM *vm) {
    ArenaBlock *b = vm->arena_cache;
    while (b) {
        ArenaBlock *n = b->next;
        block_free(vm, b);
        b = n;
    }
    vm->arena_cache = NULL;
    vm->arena_cached = 0;
}

/* ---- pool ---- */
struct PoolChunk {
    PoolChunk *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

#define POOL_FIRST 2048
#define POOL_MAX 65536

void *pool_alloc(VM *vm, Pool *p, size_t n) {
    n = (n + 15) & ~(size_t)15;
    PoolChunk *c = p->head;
    if (!c || c->used + n > c->size) {
        size_t grow = c ? (c->size * 2 > POOL_MAX ? POOL_MAX : c->size * 2) : POOL_FIRST;
        bool big = n > grow / 4;                  /* a chunk of its own; the head keeps filling */
        size_t sz = big ? n : grow;
        PoolChunk *nc = mem_alloc(vm, sizeof(PoolChunk) + sz);
        nc->size = sz;
        nc->used = 0;
        if (big && c) {
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            p->head = nc;
        }
        c = nc;
    }
    void *r = c->data + c->used;
    c->used += n;
    memset(r, 0, n);
    return r;
}

char *pool_strdup(VM *vm, Pool *p, const char *s) {
    size_t n = strlen(s);
    char *d = pool_alloc(vm, p, n + 1);
    memcpy(d, s, n);
    return d;
}

void pool_free(VM *vm, Pool *p) {
    for (PoolChunk *c = p->head, *n; c; c = n) {
        n = c->next;
        mem_free(vm, c, sizeof(PoolChunk) + c->size);
    }
    p->head = NULL;
}

/* ---- buffer ---- */
void buf_init(Buf *b, VM *vm) { b->vm = vm; b->data = NULL; b->len = b->cap = 0; }

static void buf_grow(Buf *b, size_t extra) {
    if (b->len + extra + 1 > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 64;
        while (nc < b->len + extra + 1) nc *= 2;
        b->data = mem_realloc(b->vm, b->data, b->cap, nc);
        b->cap = nc;
    }
}

void buf_put(Buf *b, const char *s, size_t n) {
    buf_grow(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

void buf_puts(Buf *b, const char *s) { buf_put(b, s, strlen(s)); }

void buf_putc(Buf *b, char c) {
    buf_grow(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = 0;
}

void buf_printf(Buf *b, const char *fmt, ...) {
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    buf_grow(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    b->len += (size_t)n;
}

void buf_free(Buf *b) {
    if (b->data) mem_free(b->vm, b->data, b->cap);
    b->data = NULL;
    b->len = b->cap = 0;
}
