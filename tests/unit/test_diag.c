/* test_diag.c — unit tests for diag.c: exact §23.1 rendering (gutter,
 * carets under tabs and multi-byte text, cut spans, help/note lines,
 * ordering), and did-you-mean (edit distance and candidate choice).  Builds
 * against diag.c, lex.c (one end-to-end case) and mem.c only. */
#include "diag.h"
#include "lex.h"
#include "vm.h"
#include <stdio.h>
#include <stdlib.h>

static int failures, checks;

static void *test_alloc(void *ud, void *p, size_t o, size_t n) {
    (void)ud; (void)o;
    if (n == 0) { free(p); return NULL; }
    return realloc(p, n);
}

static VM *vm;

#define FAIL(...) do { failures++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } while (0)
#define CHECK(cond) do { checks++; if (!(cond)) FAIL("%s", #cond); } while (0)

static Span sp(uint32_t l, uint32_t c, uint32_t el, uint32_t ec) {
    Span s = { l, c, el, ec, 0, 0 };
    return s;
}

static Source mksrc(const char *name, const char *text) {
    Source s = { name, text, strlen(text) };
    return s;
}

/* Renders d and compares with want exactly. */
static void render_is(int line, Diags *d, const char *want) {
    Buf out;
    buf_init(&out, vm);
    diags_render(d, &out);
    const char *got = out.data ? out.data : "";
    checks++;
    if (strcmp(got, want) != 0) {
        failures++;
        fprintf(stderr, "FAIL %s:%d: rendering\n--- want ---\n%s--- got ---\n%s---\n", __FILE__, line,
                want, got);
    }
    buf_free(&out);
}
#define RENDER_IS(d, want) render_is(__LINE__, d, want)

typedef struct Fixture {
    Arena arena;
    Diags d;
} Fixture;

static void fx_init(Fixture *f) {
    arena_init(&f->arena, vm);
    diags_init(&f->d, &f->arena);
}
static void fx_free(Fixture *f) {
    diags_free(&f->d, vm);
    arena_free(&f->arena);
}

/* ------------------------------------------------------------------ */

static void test_spec_example(void) {
    /* language.md §23.1, verbatim */
    Buf text;
    buf_init(&text, vm);
    for (int i = 1; i < 33; i++) buf_printf(&text, "// line %d\n", i);
    buf_puts(&text, "        self.hp -= amount\n    }\n");
    Source src = { "entities/player.writ", text.data, text.len };
    Fixture f;
    fx_init(&f);
    Diag *g = diag_error(&f.d, &src, sp(33, 14, 33, 16), "unknown field '%s' on %s", "hp", "Player");
    diag_label(&f.d, g, "no field named '%s'", "hp");
    diag_help(&f.d, g, "did you mean '%s'?", "health");
    RENDER_IS(&f.d,
              "error: unknown field 'hp' on Player\n"
              "  --> entities/player.writ:33:14\n"
              "   |\n"
              "33 |         self.hp -= amount\n"
              "   |              ^^ no field named 'hp'\n"
              "   |\n"
              "   = help: did you mean 'health'?\n"
              "\n");
    fx_free(&f);
    buf_free(&text);
}

static void test_layout(void) {
    Source src = mksrc("a.writ", "let x = 1\nlet y = x +\n");
    Fixture f;
    fx_init(&f);
    /* no help/note: no closing gutter line; no label: carets only */
    diag_error(&f.d, &src, sp(1, 5, 1, 6), "bad");
    RENDER_IS(&f.d,
              "error: bad\n"
              " --> a.writ:1:5\n"
              "  |\n"
              "1 | let x = 1\n"
              "  |     ^\n"
              "\n");
    fx_free(&f);

    fx_init(&f);
    /* help and note together; a label */
    Diag *g = diag_error(&f.d, &src, sp(2, 9, 2, 12), "expected '}', found end of file");
    diag_label(&f.d, g, "here");
    diag_help(&f.d, g, "h");
    diag_note(&f.d, g, "opening brace is at line %d", 22);
    RENDER_IS(&f.d,
              "error: expected '}', found end of file\n"
              " --> a.writ:2:9\n"
              "  |\n"
              "2 | let y = x +\n"
              "  |         ^^^ here\n"
              "  |\n"
              "  = help: h\n"
              "  = note: opening brace is at line 22\n"
              "\n");
    fx_free(&f);

    fx_init(&f);
    /* note alone */
    g = diag_error(&f.d, &src, sp(1, 1, 1, 4), "n");
    diag_note(&f.d, g, "only a note");
    RENDER_IS(&f.d,
              "error: n\n"
              " --> a.writ:1:1\n"
              "  |\n"
              "1 | let x = 1\n"
              "  | ^^^\n"
              "  |\n"
              "  = note: only a note\n"
              "\n");
    fx_free(&f);
}

static void test_gutter_width(void) {
    Buf text;
    buf_init(&text, vm);
    for (int i = 1; i <= 120; i++) buf_printf(&text, "x%d\n", i);
    Source src = { "g.writ", text.data, text.len };
    Fixture f;
    fx_init(&f);
    diag_error(&f.d, &src, sp(9, 1, 9, 3), "nine");
    diag_error(&f.d, &src, sp(10, 2, 10, 4), "ten");
    diag_error(&f.d, &src, sp(100, 1, 100, 5), "hundred");
    RENDER_IS(&f.d,
              "error: nine\n"
              " --> g.writ:9:1\n"
              "  |\n"
              "9 | x9\n"
              "  | ^^\n"
              "\n"
              "error: ten\n"
              "  --> g.writ:10:2\n"
              "   |\n"
              "10 | x10\n"
              "   |  ^^\n"
              "\n"
              "error: hundred\n"
              "   --> g.writ:100:1\n"
              "    |\n"
              "100 | x100\n"
              "    | ^^^^\n"
              "\n");
    fx_free(&f);
    buf_free(&text);
}

static void test_tabs_and_unicode(void) {
    Fixture f;
    /* tabs become 4 spaces; the caret column follows */
    Source src = mksrc("t.writ", "\tif x {\n\t\ty\t+= 1\n");
    fx_init(&f);
    diag_error(&f.d, &src, sp(1, 5, 1, 6), "tab");
    diag_error(&f.d, &src, sp(2, 3, 2, 4), "two tabs");
    diag_error(&f.d, &src, sp(2, 5, 2, 7), "after inner tab");
    RENDER_IS(&f.d,
              "error: tab\n"
              " --> t.writ:1:5\n"
              "  |\n"
              "1 |     if x {\n"
              "  |        ^\n"
              "\n"
              "error: two tabs\n"
              " --> t.writ:2:3\n"
              "  |\n"
              "2 |         y    += 1\n"
              "  |         ^\n"
              "\n"
              "error: after inner tab\n"
              " --> t.writ:2:5\n"
              "  |\n"
              "2 |         y    += 1\n"
              "  |              ^^\n"
              "\n");
    fx_free(&f);

    /* a tab inside the span: one caret per code point (§23.1) */
    fx_init(&f);
    diag_error(&f.d, &src, sp(2, 3, 2, 6), "span with tab");
    RENDER_IS(&f.d,
              "error: span with tab\n"
              " --> t.writ:2:3\n"
              "  |\n"
              "2 |         y    += 1\n"
              "  |         ^^^\n"
              "\n");
    fx_free(&f);

    /* multi-byte characters: columns and carets count code points */
    Source u = mksrc("u.writ", "let s = \"h\xC3\xA9llo \xE6\x97\xA5\xE6\x9C\xAC\" + 1\n");
    fx_init(&f);
    diag_error(&f.d, &u, sp(1, 9, 1, 18), "string");
    diag_error(&f.d, &u, sp(1, 19, 1, 20), "plus");
    RENDER_IS(&f.d,
              "error: string\n"
              " --> u.writ:1:9\n"
              "  |\n"
              "1 | let s = \"h\xC3\xA9llo \xE6\x97\xA5\xE6\x9C\xAC\" + 1\n"
              "  |         ^^^^^^^^^\n"
              "\n"
              "error: plus\n"
              " --> u.writ:1:19\n"
              "  |\n"
              "1 | let s = \"h\xC3\xA9llo \xE6\x97\xA5\xE6\x9C\xAC\" + 1\n"
              "  |                   ^\n"
              "\n");
    fx_free(&f);
}

static void test_span_edges(void) {
    Fixture f;
    Source src = mksrc("e.writ", "abc\r\nlong line here\n\nlast");
    fx_init(&f);
    diag_error(&f.d, &src, sp(1, 2, 1, 40), "past end");          /* cut at line end, CR hidden */
    diag_error(&f.d, &src, sp(1, 4, 1, 5), "newline token");      /* just past the last char */
    diag_error(&f.d, &src, sp(2, 6, 4, 2), "multi-line");         /* to the end of the first line */
    diag_error(&f.d, &src, sp(3, 1, 3, 1), "empty line");         /* zero width: one caret */
    diag_error(&f.d, &src, sp(4, 5, 4, 5), "eof");
    RENDER_IS(&f.d,
              "error: past end\n"
              " --> e.writ:1:2\n"
              "  |\n"
              "1 | abc\n"
              "  |  ^^\n"
              "\n"
              "error: newline token\n"
              " --> e.writ:1:4\n"
              "  |\n"
              "1 | abc\n"
              "  |    ^\n"
              "\n"
              "error: multi-line\n"
              " --> e.writ:2:6\n"
              "  |\n"
              "2 | long line here\n"
              "  |      ^^^^^^^^^\n"
              "\n"
              "error: empty line\n"
              " --> e.writ:3:1\n"
              "  |\n"
              "3 |\n"
              "  | ^\n"
              "\n"
              "error: eof\n"
              " --> e.writ:4:5\n"
              "  |\n"
              "4 | last\n"
              "  |     ^\n"
              "\n");
    fx_free(&f);

    /* BOM is not shown; no source: message (and help) only */
    Source bom = mksrc("b.writ", "\xEF\xBB\xBFx y");
    fx_init(&f);
    diag_error(&f.d, &bom, sp(1, 3, 1, 4), "after bom");
    Diag *g = diag_error(&f.d, NULL, sp(0, 0, 0, 0), "no source");
    diag_help(&f.d, g, "try again");
    RENDER_IS(&f.d,
              "error: no source\n"
              "  |\n"
              "  = help: try again\n"
              "\n"
              "error: after bom\n"
              " --> b.writ:1:3\n"
              "  |\n"
              "1 | x y\n"
              "  |   ^\n"
              "\n");
    fx_free(&f);
}

static void test_sorting(void) {
    Source a = mksrc("a.writ", "1\n2 and more\n3\n4\n5 x\n");
    Source b = mksrc("b.writ", "b\n");
    Fixture f;
    fx_init(&f);
    diag_error(&f.d, &b, sp(1, 1, 1, 2), "b1");
    diag_error(&f.d, &a, sp(5, 3, 5, 4), "a5");
    diag_error(&f.d, &a, sp(2, 7, 2, 8), "a2:7");
    diag_error(&f.d, &a, sp(2, 3, 2, 4), "a2:3 first");
    diag_error(&f.d, &a, sp(2, 3, 2, 6), "a2:3 second");
    CHECK(f.d.n == 5 && f.d.items[0].seq == 0 && f.d.items[4].seq == 4);
    Buf out;
    buf_init(&out, vm);
    diags_render(&f.d, &out);
    const char *order[] = { "a2:3 first", "a2:3 second", "a2:7", "a5", "b1" };
    const char *p = out.data;
    for (int i = 0; i < 5; i++) {
        char key[64];
        snprintf(key, sizeof key, "error: %s\n", order[i]);
        const char *q = strstr(p, key);
        checks++;
        if (!q) { FAIL("'%s' missing or out of order in:\n%s", order[i], out.data); break; }
        p = q + 1;
    }
    /* consecutive lines of one file, then the other file */
    CHECK(strstr(out.data, "error: a5\n --> a.writ:5:3\n  |\n5 | 5 x\n  |   ^\n\nerror: b1\n") != NULL);
    buf_free(&out);
    fx_free(&f);
}

static void test_end_to_end(void) {
    /* lexer errors rendered */
    Source src = mksrc("lex.writ", "let a = 1\nlet b = a # 2\nlet s = \"bad \\q\"\n");
    Arena arena;
    arena_init(&arena, vm);
    Diags d;
    diags_init(&d, &arena);
    size_t n;
    lex_source(&arena, &d, &src, &n);
    CHECK(d.syntax_error);
    RENDER_IS(&d,
              "error: unexpected character '#'\n"
              " --> lex.writ:2:11\n"
              "  |\n"
              "2 | let b = a # 2\n"
              "  |           ^\n"
              "\n"
              "error: unknown escape sequence '\\q'\n"
              " --> lex.writ:3:14\n"
              "  |\n"
              "3 | let s = \"bad \\q\"\n"
              "  |              ^^\n"
              "\n");
    diags_free(&d, vm);
    arena_free(&arena);
}

static void test_edit_distance(void) {
    CHECK(diag_edit_distance("", "", 2) == 0);
    CHECK(diag_edit_distance("abc", "abc", 2) == 0);
    CHECK(diag_edit_distance("", "abc", -1) == 3);
    CHECK(diag_edit_distance("kitten", "sitting", -1) == 3);
    CHECK(diag_edit_distance("kitten", "sitting", 2) == 3);      /* capped at limit + 1 */
    CHECK(diag_edit_distance("kitten", "sitting", 1) == 2);
    CHECK(diag_edit_distance("helth", "health", 2) == 1);         /* insert */
    CHECK(diag_edit_distance("healtth", "health", 2) == 1);       /* delete */
    CHECK(diag_edit_distance("hialth", "health", 2) == 1);        /* substitute */
    CHECK(diag_edit_distance("haelth", "health", 2) == 1);        /* transpose */
    CHECK(diag_edit_distance("ab", "ba", 2) == 1);
    CHECK(diag_edit_distance("abcd", "badc", -1) == 2);           /* two transpositions */
    CHECK(diag_edit_distance("ca", "abc", -1) == 3);              /* restricted Damerau */
    CHECK(diag_edit_distance("a", "abcdef", 2) == 3);             /* length gap over limit */
    CHECK(diag_edit_distance("atack", "attack", 2) == 1);
    CHECK(diag_edit_distance("prnt", "print", 2) == 1);
    CHECK(diag_edit_distance("xyzw", "abcd", 2) == 3);
    CHECK(diag_edit_distance("Speed", "speed", 2) == 1);
    /* long strings sharing ends */
    char a[600], b[600];
    memset(a, 'q', 599); a[599] = 0;
    memcpy(b, a, 600); b[300] = 'z';
    CHECK(diag_edit_distance(a, b, 2) == 1);
}

static void test_suggest(void) {
    const char *fields[] = { "speed", "health", "name", "healthy" };
    CHECK(diag_suggest("helth", fields, 4) == fields[1]);
    CHECK(diag_suggest("heath", fields, 4) == fields[1]);
    CHECK(diag_suggest("nmae", fields, 4) == fields[2]);
    CHECK(diag_suggest("zzzzz", fields, 4) == NULL);
    CHECK(diag_suggest("health", fields, 4) == fields[3]);       /* the name itself is skipped */
    CHECK(diag_suggest("hp", fields, 4) == NULL);
    CHECK(diag_suggest("x", fields, 0) == NULL);
    /* distance must be < length: 'hp' -> 'x' is 2, not < 2 */
    const char *xs[] = { "x", "hq" };
    CHECK(diag_suggest("hp", xs, 1) == NULL);
    CHECK(diag_suggest("hp", xs, 2) == xs[1]);
    CHECK(diag_suggest("a", xs, 2) == NULL);                     /* 'a' -> 'x' is 1, not < 1 */
    /* ties go to the earliest; a closer later one wins */
    const char *ties[] = { "bat", "cut", "cat" };
    CHECK(diag_suggest("cst", ties, 3) == ties[1]);
    CHECK(diag_suggest("ca", ties, 3) == ties[2]);
    const char *t2[] = { "bat", "cut" };
    CHECK(diag_suggest("cat", t2, 2) == t2[0]);
    const char *far[] = { "attack", "atk" };
    CHECK(diag_suggest("atack", far, 2) == far[0]);
    const char *two[] = { "Player" };
    CHECK(diag_suggest("Plyer", two, 1) == two[0]);
    CHECK(diag_suggest("Plar", two, 1) == two[0]);               /* distance 2 */
    CHECK(diag_suggest("Pla", two, 1) == NULL);                  /* distance 3 */
    const char *withnull[] = { NULL, "speed" };
    CHECK(diag_suggest("sped", withnull, 2) == withnull[1]);
}

int main(void) {
    vm = calloc(1, sizeof(VM));
    vm->alloc = test_alloc;
    test_spec_example();
    test_layout();
    test_gutter_width();
    test_tabs_and_unicode();
    test_span_edges();
    test_sorting();
    test_end_to_end();
    test_edit_distance();
    test_suggest();
    arena_cache_free(vm);
    if (vm->bytes != 0) FAIL("leaked %zu bytes", vm->bytes);
    mem_free_all(vm);               /* the VM's table of live blocks (mem.c) */
    free(vm);
    printf("test_diag: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
