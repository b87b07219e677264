/* diag.c — compile diagnostics: collection, the language.md §23.1 renderer
 * and did-you-mean.
 *
 * A diagnostic is data (file, span, message, label, help, note) collected
 * during a load and rendered once at the end, after a stable sort by file
 * name and position.  All text lives in the Diags arena; only the item array
 * itself is a growable heap vector (it is realloc'ed, so a Diag * returned by
 * diag_error stays valid only until the next diag_error).
 *
 * Rendering rules (§23.1): the gutter width is the width of the line number;
 * columns count code points (an invalid UTF-8 byte counts as one, the same
 * rule the lexer uses, so carets and lexer columns agree); tabs in the shown
 * line become 4 spaces and the caret column is shifted to match; one caret
 * per code point of the span on its first line, cut at the line end, at
 * least one. */
#include "diag.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>

#define TAB_WIDTH 4

/* ====================================================================
 * Collection
 * ==================================================================== */

void diags_init(Diags *d, Arena *arena) {
    d->arena = arena;
    d->items = NULL;
    d->n = d->cap = 0;
    d->syntax_error = false;
}

void diags_free(Diags *d, VM *vm) {
    if (d->items) VEC_FREE(vm, d->items, d->cap);
    d->n = 0;
}

/* arena_printf with a va_list (mem.h only offers the variadic form). */
static char *arena_vprintf(Arena *a, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) n = 0;
    char *s = arena_alloc(a, (size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

Diag *diag_error(Diags *d, const Source *src, Span span, const char *fmt, ...) {
    VEC_GROW(d->arena->vm, d->items, d->n, d->cap, 1);
    Diag *g = &d->items[d->n];
    memset(g, 0, sizeof *g);
    g->src = src;
    g->span = span;
    g->seq = (uint32_t)d->n;
    va_list ap;
    va_start(ap, fmt);
    g->msg = arena_vprintf(d->arena, fmt, ap);
    va_end(ap);
    d->n++;
    return g;
}

void diag_label(Diags *d, Diag *g, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    g->label = arena_vprintf(d->arena, fmt, ap);
    va_end(ap);
}

void diag_help(Diags *d, Diag *g, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    g->help = arena_vprintf(d->arena, fmt, ap);
    va_end(ap);
}

void diag_note(Diags *d, Diag *g, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    g->note = arena_vprintf(d->arena, fmt, ap);
    va_end(ap);
}

/* ====================================================================
 * Rendering
 * ==================================================================== */

static const char *src_name(const Diag *g) {
    return g->src && g->src->name ? g->src->name : "";
}

/* Stable order: file name, line, column, then insertion order. */
static int diag_cmp(const void *pa, const void *pb) {
    const Diag *a = pa, *b = pb;
    int c = strcmp(src_name(a), src_name(b));
    if (c) return c;
    if (a->span.line != b->span.line) return a->span.line < b->span.line ? -1 : 1;
    if (a->span.col != b->span.col) return a->span.col < b->span.col ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Length in bytes of the code point at p: a valid UTF-8 sequence, or 1 for
 * an invalid byte (which then counts as one column, as in the lexer). */
static size_t unit_len(const unsigned char *p, const unsigned char *end) {
    unsigned c = p[0];
    if (c < 0x80) return 1;
    size_t n;
    uint32_t min;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 3; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; min = 0x10000; }
    else return 1;
    if ((size_t)(end - p) < n) return 1;
    uint32_t cp = c & (0x3Fu >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 1;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 1;
    return n;
}

/* Remembers where the last looked-up line started, so rendering a sorted
 * list walks each file once instead of rescanning from the top per error. */
typedef struct LineCursor {
    const Source *src;
    uint32_t line;
    size_t off;
} LineCursor;

/* Finds the byte range of 1-based line `line` (without its line break and a
 * trailing '\r'); false if the file has fewer lines. */
static bool find_line(LineCursor *cur, const Source *src, uint32_t line,
                      size_t *start, size_t *end) {
    if (cur->src != src || cur->line > line || cur->line == 0) {
        cur->src = src;
        cur->line = 1;
        cur->off = 0;
    }
    const char *t = src->text;
    size_t len = src->len;
    while (cur->line < line) {
        const char *nl = memchr(t + cur->off, '\n', len - cur->off);
        if (!nl) return false;
        cur->off = (size_t)(nl - t) + 1;
        cur->line++;
    }
    size_t s = cur->off, e = s;
    const char *nl = memchr(t + s, '\n', len - s);
    e = nl ? (size_t)(nl - t) : len;
    if (e > s && t[e - 1] == '\r') e--;
    if (s == 0 && e >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0) s = 3; /* BOM is not shown */
    *start = s;
    *end = e;
    return true;
}

static void put_spaces(Buf *out, size_t n) {
    static const char sp[] = "                                ";
    while (n > 0) {
        size_t k = n < sizeof sp - 1 ? n : sizeof sp - 1;
        buf_put(out, sp, k);
        n -= k;
    }
}

static int num_width(uint32_t v) {
    int w = 1;
    while (v >= 10) { v /= 10; w++; }
    return w;
}

/* Writes the source line with tabs expanded. */
static void put_line_text(Buf *out, const char *s, const char *e) {
    const char *run = s;
    for (const char *p = s; p < e; p++) {
        if (*p == '\t') {
            buf_put(out, run, (size_t)(p - run));
            put_spaces(out, TAB_WIDTH);
            run = p + 1;
        }
    }
    buf_put(out, run, (size_t)(e - run));
}

/* Caret line geometry: display column before the first caret, and the
 * number of carets (code points of the span on this line, cut at the line
 * end, at least one). */
static void caret_geometry(const char *s, const char *e, Span sp,
                           size_t *pad, size_t *count) {
    const unsigned char *p = (const unsigned char *)s, *end = (const unsigned char *)e;
    uint32_t col = sp.col ? sp.col : 1;
    size_t disp = 0;
    uint32_t c = 1;
    for (; c < col && p < end; c++) {
        disp += *p == '\t' ? TAB_WIDTH : 1;
        p += unit_len(p, end);
    }
    disp += col - c;            /* span starts past the line end */
    size_t avail = 0;           /* code points from the span start to the line end */
    for (const unsigned char *q = p; q < end; q += unit_len(q, end)) avail++;
    size_t n = avail;           /* multi-line span: to the line end */
    if (sp.end_line == sp.line) {
        n = sp.end_col > col ? sp.end_col - col : 0;
        if (n > avail) n = avail;
    }
    *pad = disp;
    *count = n ? n : 1;
}

static void render_one(Buf *out, const Diag *g, LineCursor *cur) {
    buf_puts(out, "error: ");
    buf_puts(out, g->msg);
    buf_putc(out, '\n');
    const Source *src = g->src;
    int w = 1;
    if (src && g->span.line > 0) {
        w = num_width(g->span.line);
        put_spaces(out, (size_t)w);
        buf_printf(out, "--> %s:%u:%u\n", src_name(g), g->span.line,
                   g->span.col ? g->span.col : 1);
        size_t ls = 0, le = 0;
        if (src->text && find_line(cur, src, g->span.line, &ls, &le)) {
            put_spaces(out, (size_t)w);
            buf_puts(out, " |\n");
            buf_printf(out, "%u |", g->span.line);
            if (le > ls) {
                buf_putc(out, ' ');
                put_line_text(out, src->text + ls, src->text + le);
            }
            buf_putc(out, '\n');
            size_t pad, count;
            caret_geometry(src->text + ls, src->text + le, g->span, &pad, &count);
            put_spaces(out, (size_t)w);
            buf_puts(out, " | ");
            put_spaces(out, pad);
            for (size_t i = 0; i < count; i++) buf_putc(out, '^');
            if (g->label && *g->label) {
                buf_putc(out, ' ');
                buf_puts(out, g->label);
            }
            buf_putc(out, '\n');
        }
    }
    if (g->help || g->note) {
        put_spaces(out, (size_t)w);
        buf_puts(out, " |\n");
        if (g->help) {
            put_spaces(out, (size_t)w);
            buf_printf(out, " = help: %s\n", g->help);
        }
        if (g->note) {
            put_spaces(out, (size_t)w);
            buf_printf(out, " = note: %s\n", g->note);
        }
    }
    buf_putc(out, '\n');
}

void diags_render(Diags *d, Buf *out) {
    if (d->n > 1) qsort(d->items, d->n, sizeof(Diag), diag_cmp);
    LineCursor cur = {0};
    for (size_t i = 0; i < d->n; i++) render_one(out, &d->items[i], &cur);
}

/* ====================================================================
 * Did-you-mean
 * ==================================================================== */

/* Longest names compared; longer ones (after trimming shared ends) are
 * treated as too far apart — no identifier worth suggesting is that long,
 * and it keeps the DP rows on the stack. */
#define EDIT_MAX_LEN 256

/* Optimal-string-alignment (restricted Damerau) distance: insert, delete,
 * substitute, transpose adjacent.  Returns limit + 1 as soon as the result
 * is known to exceed limit (limit < 0: no limit). */
int diag_edit_distance(const char *a, const char *b, int limit) {
    size_t la = strlen(a), lb = strlen(b);
    /* Shared prefix and suffix never change the distance. */
    while (la && lb && *a == *b) { a++; b++; la--; lb--; }
    while (la && lb && a[la - 1] == b[lb - 1]) { la--; lb--; }
    int over = limit < 0 ? INT_MAX : limit + 1;
    size_t diff = la > lb ? la - lb : lb - la;
    if (limit >= 0 && diff > (size_t)limit) return over;
    if (la == 0) return (int)lb;
    if (lb == 0) return (int)la;
    if (la > EDIT_MAX_LEN || lb > EDIT_MAX_LEN) return over;

    int rows[3][EDIT_MAX_LEN + 1];
    int *pp = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++) prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        int rowmin = cur[0];
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = prev[j] + 1;                       /* delete */
            if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1; /* insert */
            if (prev[j - 1] + cost < v) v = prev[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]
                && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;                     /* transpose */
            cur[j] = v;
            if (v < rowmin) rowmin = v;
        }
        /* Row minima never decrease (up to transposition, which looks back
         * one row, hence the check uses the smaller of two rows). */
        if (limit >= 0 && rowmin > limit) {
            int pmin = prev[0];
            for (size_t j = 1; j <= lb; j++) if (prev[j] < pmin) pmin = prev[j];
            if (pmin > limit) return over;
        }
        int *t = pp; pp = prev; prev = cur; cur = t;
    }
    int r = prev[lb];
    return limit >= 0 && r > limit ? over : r;
}

const char *diag_suggest(const char *name, const char *const *cands, size_t n) {
    size_t len = strlen(name);
    /* distance <= 2 and strictly less than the name's length */
    int maxd = len > 2 ? 2 : (int)len - 1;
    if (maxd < 1) return NULL;
    const char *best = NULL;
    int bestd = maxd + 1;
    for (size_t i = 0; i < n; i++) {
        if (!cands[i]) continue;
        int d = diag_edit_distance(name, cands[i], bestd - 1);
        /* d == 0 is the name itself: suggesting it would only confuse */
        if (d > 0 && d < bestd) {
            best = cands[i];
            bestd = d;
            if (d == 1) break;   /* nothing later can beat 1 (ties go to the earliest) */
        }
    }
    return best;
}
