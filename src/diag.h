/* diag.h — structured compile diagnostics and the language.md §23.1
 * renderer (caret underline, label, help/note lines, did-you-mean). */
#ifndef WRIT_DIAG_H
#define WRIT_DIAG_H

#include "common.h"
#include "token.h"
#include "mem.h"

typedef struct Source {
    const char *name;   /* file as given to the loader */
    const char *text;   /* the whole source (BOM included if present) */
    size_t len;
} Source;

typedef struct Diag {
    const Source *src;
    Span span;
    const char *msg;    /* after "error: " */
    const char *label;  /* short text after the carets, may be NULL */
    const char *help;   /* "= help: ..." or NULL */
    const char *note;   /* "= note: ..." or NULL */
    uint32_t seq;       /* insertion order, keeps sort stable */
} Diag;

typedef struct Diags {
    Arena *arena;       /* message text lives here */
    Diag *items;
    size_t n, cap;
    bool syntax_error;  /* any lexer/parser error: type errors are then suppressed */
} Diags;

void diags_init(Diags *d, Arena *arena);
void diags_free(Diags *d, VM *vm);
/* Adds an error; returns it so the caller may set label/help/note. */
Diag *diag_error(Diags *d, const Source *src, Span span, const char *fmt, ...) WRIT_PRINTF(4, 5);
void diag_label(Diags *d, Diag *g, const char *fmt, ...) WRIT_PRINTF(3, 4);
void diag_help(Diags *d, Diag *g, const char *fmt, ...) WRIT_PRINTF(3, 4);
void diag_note(Diags *d, Diag *g, const char *fmt, ...) WRIT_PRINTF(3, 4);
/* Sorts by file then position and renders every diagnostic (each block
 * followed by a blank line) into out. */
void diags_render(Diags *d, Buf *out);

/* Did-you-mean: edit distance (insert, delete, substitute, transpose).
 * Returns the best candidate with distance <= 2 and < strlen(name), ties to
 * the earliest index, or NULL. */
int diag_edit_distance(const char *a, const char *b, int limit);
const char *diag_suggest(const char *name, const char *const *cands, size_t n);

#endif
