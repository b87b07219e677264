/* dict.c — insertion-ordered dictionaries.
 *
 * Layout (CPython-style compact dict): `entries` is a dense array in
 * insertion order; `index` is an open-addressed table (linear probing,
 * power-of-two size, at least twice the entry capacity) of int32 positions
 * into `entries`, -1 = empty.  Removal marks the entry dead (hash =
 * DICT_DEAD) and leaves its index slot in place as a tombstone, so probe
 * chains stay intact; when more than half the used entries are dead the
 * entries are compacted and the index rebuilt.
 *
 * Keys: strings (hash from str_hash, compared by content) or int-like slots
 * (int, bool, enum ids: compared by bits, hashed with a splitmix finaliser
 * so sequential keys spread over the table). */
#include "rt.h"
#include "vm.h"

#define DICT_MIN_CAP 8

static inline bool key_is_str(const Dict *d) { return d->type->a->kind == T_STRING; }

static inline uint64_t mix64(uint64_t x) {
    x ^= x >> 30; x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27; x *= 0x94D049BB133111EBULL;
    x ^= x >> 31;
    return x;
}

static uint64_t key_hash(const Dict *d, Value k) {
    if (key_is_str(d)) return str_hash((Str *)k.p);   /* 32-bit: never DICT_DEAD */
    uint64_t h = mix64(k.u);
    return h == DICT_DEAD ? h - 1 : h;
}

static inline bool key_eq(const Dict *d, Value a, Value b) {
    if (key_is_str(d)) return str_eq((Str *)a.p, (Str *)b.p);
    return a.u == b.u;
}

Dict *dict_new(VM *vm, Type *dict_type) {
    Dict *d = mem_calloc(vm, sizeof(Dict));
    d->h = (Obj){ .rc = 1, .kind = OBJ_DICT };
    d->type = dict_type;
    return d;   /* storage is allocated on the first insert */
}

/* Index slot holding key k, or -1 if absent. */
static int64_t find_slot(const Dict *d, Value k, uint64_t h) {
    if (!d->index) return -1;
    for (uint64_t i = h & d->mask;; i = (i + 1) & d->mask) {
        int32_t pos = d->index[i];
        if (pos < 0) return -1;
        const DictEntry *e = &d->entries[pos];
        if (e->hash == h && key_eq(d, e->key, k)) return (int64_t)i;
    }
}

static void index_insert(Dict *d, uint64_t h, int32_t pos) {
    uint64_t i = h & d->mask;
    while (d->index[i] >= 0) i = (i + 1) & d->mask;
    d->index[i] = pos;
}

/* Moves live entries to the front (keeping order), resizes the entry array
 * to new_cap and rebuilds an index of 2 * new_cap slots. */
static void rebuild(VM *vm, Dict *d, int64_t new_cap) {
    int64_t w = 0;
    for (int64_t r = 0; r < d->used; r++)
        if (d->entries[r].hash != DICT_DEAD) d->entries[w++] = d->entries[r];
    d->used = w;
    if (new_cap != d->cap) {
        d->entries = mem_realloc(vm, d->entries, sizeof(DictEntry) * (size_t)d->cap,
                                 sizeof(DictEntry) * (size_t)new_cap);
        d->cap = new_cap;
    }
    uint64_t size = (uint64_t)new_cap * 2;
    if (!d->index || size != d->mask + 1) {
        if (d->index) mem_free(vm, d->index, sizeof(int32_t) * (size_t)(d->mask + 1));
        d->index = mem_alloc(vm, sizeof(int32_t) * (size_t)size);
        d->mask = size - 1;
    }
    memset(d->index, 0xff, sizeof(int32_t) * (size_t)size);
    for (int64_t i = 0; i < d->used; i++) index_insert(d, d->entries[i].hash, (int32_t)i);
}

static int64_t cap_for(int64_t live) {
    int64_t c = DICT_MIN_CAP;
    while (c < live * 2) c *= 2;
    return c;
}

/* Makes room for one more entry: compact if many are dead, else grow. */
static void ensure_room(VM *vm, Dict *d) {
    if (d->used < d->cap) return;
    if (d->count <= d->used / 2 && d->cap >= DICT_MIN_CAP) rebuild(vm, d, d->cap);
    else rebuild(vm, d, d->cap ? d->cap * 2 : DICT_MIN_CAP);
}

bool dict_get(VM *vm, Dict *d, Value key, Value *out) {
    (void)vm;
    int64_t slot = find_slot(d, key, key_hash(d, key));
    if (slot < 0) return false;
    *out = d->entries[d->index[slot]].val;
    return true;
}

void dict_set(VM *vm, Dict *d, Value key, Value val) {
    uint64_t h = key_hash(d, key);
    int64_t slot = find_slot(d, key, h);
    if (slot >= 0) {            /* replace: keeps position, version unchanged */
        DictEntry *e = &d->entries[d->index[slot]];
        Value old = e->val;
        e->val = val;
        val_release(vm, d->type->a, key);
        val_release(vm, d->type->b, old);
        return;
    }
    ensure_room(vm, d);
    DictEntry *e = &d->entries[d->used];
    e->key = key;
    e->val = val;
    e->hash = h;
    index_insert(d, h, (int32_t)d->used);
    d->used++;
    d->count++;
    d->version++;
}

bool dict_remove(VM *vm, Dict *d, Value key, Value *out) {
    int64_t slot = find_slot(d, key, key_hash(d, key));
    if (slot < 0) return false;
    DictEntry *e = &d->entries[d->index[slot]];
    Value k = e->key, v = e->val;
    e->hash = DICT_DEAD;        /* the index slot stays as a tombstone */
    e->key.u = e->val.u = 0;
    d->count--;
    d->version++;
    if (d->used - d->count > d->used / 2) rebuild(vm, d, cap_for(d->count) < d->cap ? cap_for(d->count) : d->cap);
    val_release(vm, d->type->a, k);
    if (out) *out = v;
    else val_release(vm, d->type->b, v);
    return true;
}

void dict_clear(VM *vm, Dict *d) {
    if (d->count) d->version++;
    int64_t used = d->used;
    DictEntry *entries = d->entries;
    int64_t cap = d->cap;
    /* Detach storage first: releasing values may free objects, and the
     * dictionary must already look empty to anyone who looks. */
    if (d->index) mem_free(vm, d->index, sizeof(int32_t) * (size_t)(d->mask + 1));
    d->entries = NULL;
    d->index = NULL;
    d->mask = 0;
    d->used = d->count = d->cap = 0;
    bool kref = d->type->a->is_ref, vref = d->type->b->is_ref;
    for (int64_t i = 0; i < used; i++) {
        if (entries[i].hash == DICT_DEAD) continue;
        if (kref) obj_release(vm, entries[i].key.o);
        if (vref) obj_release(vm, entries[i].val.o);
    }
    if (entries) mem_free(vm, entries, sizeof(DictEntry) * (size_t)cap);
}
