/* chunk.c — Proto and Module lifetime. */
#include "chunk.h"
#include "vm.h"

Proto *proto_new(VM *vm, Module *m, const char *name) {
    Proto *p = pool_alloc(vm, &m->pool, sizeof *p);
    p->name = name ? pool_strdup(vm, &m->pool, name) : NULL;
    p->module = m;
    p->gen = vm->code_generation + (vm->reload ? 1 : 0);
    VEC_PUSH(vm, m->all_protos, m->nprotos, m->capprotos, p);
    return p;
}

void proto_free(VM *vm, Proto *p) {
    for (uint32_t i = 0; i < p->nconsts; i++)
        if (p->const_is_str[i]) obj_release(vm, (Obj *)p->consts[i].p);
    if (p->cached) obj_release(vm, &p->cached->h);
    if (p->entry && p->entry != p->code) mem_free(vm, p->entry, sizeof(uint32_t));   /* a reload forwarder */
    mem_free(vm, p->code, sizeof(uint32_t) * p->capcode);
    mem_free(vm, p->lines, sizeof(uint32_t) * p->capcode);
    mem_free(vm, p->consts, sizeof(Value) * p->capconsts);
    mem_free(vm, p->const_is_str, sizeof(bool) * p->capconsts);
    VEC_FREE(vm, p->types, p->captypes);
    VEC_FREE(vm, p->protos, p->capprotos);
    VEC_FREE(vm, p->natives, p->capnatives);
    for (uint32_t i = 0; i < p->ncaplists; i++) mem_free(vm, p->caplists[i], sizeof(CapSrc) * (p->caplens[i] ? p->caplens[i] : 1));
    mem_free(vm, p->caplists, sizeof(CapSrc *) * p->capcaplists);
    mem_free(vm, p->caplens, sizeof(uint32_t) * p->capcaplists);
    if (p->defaults) mem_free(vm, p->defaults, sizeof(Proto *) * p->ftype->n);
    VEC_FREE(vm, p->dlocals, p->capdlocals);   /* the Proto itself is in its module's pool */
}

void module_free(VM *vm, Module *m) {
    /* its globals, in reverse declaration order (the table itself is the VM's) */
    Globals *g = &vm->g;
    for (uint32_t k = m->nglobals; k-- > 0;) {
        uint32_t i = m->first_global + k;
        if (i >= g->nglobals) continue;     /* never committed (compile error) */
        if (g->ginit[i]) val_release(vm, g->gtypes[i], g->globals[i]);
        g->ginit[i] = false;
        mem_free(vm, g->gnames[i], strlen(g->gnames[i]) + 1);
        g->gnames[i] = NULL;
    }
    for (uint32_t k = 0; k < m->nkept; k++) {       /* slots taken over from a reloaded load */
        uint32_t i = m->kept[k];
        if (g->ginit[i]) val_release(vm, g->gtypes[i], g->globals[i]);
        g->ginit[i] = false;
        mem_free(vm, g->gnames[i], strlen(g->gnames[i]) + 1);
        g->gnames[i] = NULL;
    }
    if (m->kept) mem_free(vm, m->kept, sizeof(uint32_t) * m->nkept);
    for (uint32_t i = 0; i < m->nprotos; i++) proto_free(vm, m->all_protos[i]);
    if (m->scripts) mem_free(vm, m->scripts, sizeof(Proto *) * m->nscripts);
    for (uint32_t i = 0; i < m->nfiles; i++) {
        mem_free(vm, m->files[i], strlen(m->files[i]) + 1);
        if (m->texts[i]) mem_free(vm, m->texts[i], m->textlens[i] + 1);
    }
    if (m->files) {
        mem_free(vm, m->files, sizeof(char *) * m->capfiles);
        mem_free(vm, m->texts, sizeof(char *) * m->capfiles);
        mem_free(vm, m->textlens, sizeof(size_t) * m->capfiles);
        mem_free(vm, m->fps, sizeof(uint64_t) * m->capfiles);
    }
    VEC_FREE(vm, m->all_protos, m->capprotos);
    if (m->against) mem_free(vm, m->against, sizeof(Module *) * m->nagainst);
    pool_free(vm, &m->pool);
    VEC_FREE(vm, m->fns, m->capfns);
    if (m->text) mem_free(vm, m->text, m->src.len + 1);
    if (m->name) mem_free(vm, (void *)m->name, strlen(m->name) + 1);
    mem_free(vm, m, sizeof *m);
}

/* Hooks used by the object and display code. */
bool proto_cap_is_ref(struct Proto *p, uint32_t i) { return p->cap_is_ref[i]; }
void proto_count_closure(struct Proto *p, int delta) { if (p->module) p->module->nclosures += (uint32_t)delta; }
const char *proto_display_name(struct Proto *p) { return p->is_lambda ? NULL : p->name; }
