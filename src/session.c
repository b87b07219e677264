/* session.c — ChkSession (check.h): the REPL's earlier top-level symbols,
 * one per name, in an open-addressed table keyed by name, so an entry's
 * checker finds them in O(1) without copying the session into each entry. */
#include "check.h"

static uint32_t hash_name(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* The slot holding name, or the empty slot where it would go. */
static uint32_t *slot_of(const ChkSession *s, const char *name) {
    uint32_t mask = s->nslots - 1;
    for (uint32_t i = hash_name(name) & mask;; i = (i + 1) & mask) {
        uint32_t *sl = &s->slots[i];
        if (*sl == 0 || strcmp(s->syms[*sl - 1]->name, name) == 0) return sl;
    }
}

Sym *chk_session_find(const ChkSession *s, const char *name) {
    if (!s || !s->nslots) return NULL;
    uint32_t k = *slot_of(s, name);
    return k ? s->syms[k - 1] : NULL;
}

void chk_session_put(VM *vm, ChkSession *s, Sym *sym) {
    if ((s->n + 1) * 2 > s->nslots) {             /* at most half full */
        uint32_t nn = s->nslots ? s->nslots * 2 : 64;
        uint32_t *old = s->slots, on = s->nslots;
        s->slots = mem_calloc(vm, sizeof(uint32_t) * nn);
        s->nslots = nn;
        for (uint32_t i = 0; i < s->n; i++) *slot_of(s, s->syms[i]->name) = i + 1;
        if (old) mem_free(vm, old, sizeof(uint32_t) * on);
    }
    uint32_t *sl = slot_of(s, sym->name);
    if (*sl) { s->syms[*sl - 1] = sym; return; }  /* a later declaration replaces the earlier one */
    VEC_PUSH(vm, s->syms, s->n, s->cap, sym);
    *sl = s->n;
}

void chk_session_free(VM *vm, ChkSession *s) {
    VEC_FREE(vm, s->syms, s->cap);
    if (s->slots) mem_free(vm, s->slots, sizeof(uint32_t) * s->nslots);
    s->slots = NULL;
    s->nslots = s->n = 0;
}
