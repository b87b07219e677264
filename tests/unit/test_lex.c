/* test_lex.c — unit tests for the lexer (language.md §1): token sequences,
 * literal values, processed string text, the NEWLINE rules, spans, and
 * error messages with their positions.  Builds against lex.c, diag.c and
 * mem.c only (a tiny VM with a libc allocator; no type table needed).
 *
 * Token dumps use a compact notation: keywords and punctuation by their
 * spelling, id:NAME, i:VALUE, f:VALUE, s"text" (STRING), b"..." m"..."
 * e"..." (STR_BEGIN / STR_MID / STR_END), NL, ERR.  EOF is left out (every
 * dump is checked to end with exactly one EOF). */
#include "lex.h"
#include "vm.h"
#include <stdio.h>
#include <stdlib.h>
#include <inttypes.h>

static int failures, checks;

static void *test_alloc(void *ud, void *p, size_t o, size_t n) {
    (void)ud; (void)o;
    if (n == 0) { free(p); return NULL; }
    return realloc(p, n);
}

static VM *new_vm(void) {
    VM *vm = calloc(1, sizeof(VM));
    vm->alloc = test_alloc;
    return vm;
}

static VM *vm;

typedef struct Lexed {
    Arena arena;
    Diags diags;
    Source src;
    Token *t;
    size_t n;
} Lexed;

static void lex_n(Lexed *x, const char *text, size_t len) {
    arena_init(&x->arena, vm);
    diags_init(&x->diags, &x->arena);
    x->src.name = "t.writ";
    x->src.text = text;
    x->src.len = len;
    x->t = lex_source(&x->arena, &x->diags, &x->src, &x->n);
}
static void lex_s(Lexed *x, const char *text) { lex_n(x, text, strlen(text)); }

static void done(Lexed *x) {
    diags_free(&x->diags, vm);
    arena_free(&x->arena);
}

static void put_text(Buf *b, const char *s, uint32_t len) {
    buf_putc(b, '"');
    for (uint32_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') buf_puts(b, "\\n");
        else if (c == '\t') buf_puts(b, "\\t");
        else if (c == '\r') buf_puts(b, "\\r");
        else if (c == 0) buf_puts(b, "\\0");
        else if (c == '"') buf_puts(b, "\\\"");
        else if (c == '\\') buf_puts(b, "\\\\");
        else buf_putc(b, (char)c);
    }
    buf_putc(b, '"');
}

/* Renders the tokens in the compact notation (static buffer per call). */
static const char *dump(const Lexed *x) {
    static Buf b;
    static char out[8192];
    buf_init(&b, vm);
    for (size_t i = 0; i < x->n; i++) {
        const Token *t = &x->t[i];
        if (t->kind == TK_EOF) {
            if (i != x->n - 1) buf_puts(&b, " <EOF NOT LAST>");
            break;
        }
        if (i) buf_putc(&b, ' ');
        switch (t->kind) {
        case TK_IDENT: buf_printf(&b, "id:%s", t->text); break;
        case TK_INT: buf_printf(&b, "i:%" PRId64, t->num.i); if (t->int_min_magnitude) buf_puts(&b, "!"); break;
        case TK_FLOAT: buf_printf(&b, "f:%.17g", t->num.f); break;
        case TK_STRING: buf_putc(&b, 's'); put_text(&b, t->text, t->len); break;
        case TK_STR_BEGIN: buf_putc(&b, 'b'); put_text(&b, t->text, t->len); break;
        case TK_STR_MID: buf_putc(&b, 'm'); put_text(&b, t->text, t->len); break;
        case TK_STR_END: buf_putc(&b, 'e'); put_text(&b, t->text, t->len); break;
        case TK_NEWLINE: buf_puts(&b, "NL"); break;
        case TK_ERROR: buf_puts(&b, "ERR"); break;
        default: {
            const char *sp = tok_spelling[t->kind];
            buf_put(&b, sp + 1, strlen(sp) - 2);  /* strip the quotes */
        }
        }
    }
    if (x->n == 0 || x->t[x->n - 1].kind != TK_EOF) buf_puts(&b, " <NO EOF>");
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    buf_free(&b);
    return out;
}

static const char *diag_list(const Lexed *x) {
    static char out[4096];
    size_t o = 0;
    out[0] = 0;
    for (size_t i = 0; i < x->diags.n && o < sizeof out - 200; i++) {
        const Diag *g = &x->diags.items[i];
        o += (size_t)snprintf(out + o, sizeof out - o, "[%u:%u %s] ", g->span.line, g->span.col, g->msg);
    }
    return out;
}

#define FAIL(...) do { failures++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } while (0)
#define CHECK(cond) do { checks++; if (!(cond)) FAIL("%s", #cond); } while (0)

/* Lexes src (no errors allowed) and compares the dump. */
static void toks_ok(int line, const char *src, size_t len, const char *want) {
    Lexed x;
    lex_n(&x, src, len);
    checks++;
    const char *got = dump(&x);
    if (strcmp(got, want) != 0 || x.diags.n != 0) {
        failures++;
        fprintf(stderr, "FAIL %s:%d: tokens of [%s]\n   want: %s\n    got: %s\n  diags: %s\n",
                __FILE__, line, src, want, got, diag_list(&x));
    }
    done(&x);
}
#define TOKS(src, want) toks_ok(__LINE__, src, sizeof(src) - 1, want)

/* Lexes src and expects an error with exactly msg at line:col (and, if
 * want is non-NULL, that token dump: recovery). */
static void err_ok(int line, const char *src, size_t len, const char *msg, uint32_t l, uint32_t c,
                   const char *want) {
    Lexed x;
    lex_n(&x, src, len);
    checks++;
    bool found = false;
    for (size_t i = 0; i < x.diags.n; i++) {
        const Diag *g = &x.diags.items[i];
        if (strcmp(g->msg, msg) == 0 && g->span.line == l && g->span.col == c) found = true;
    }
    if (!found || !x.diags.syntax_error) {
        failures++;
        fprintf(stderr, "FAIL %s:%d: [%s] want error %u:%u '%s', got: %s (syntax_error=%d)\n",
                __FILE__, line, src, l, c, msg, diag_list(&x), x.diags.syntax_error);
    }
    if (want) {
        const char *got = dump(&x);
        checks++;
        if (strcmp(got, want) != 0) {
            failures++;
            fprintf(stderr, "FAIL %s:%d: tokens after error in [%s]\n   want: %s\n    got: %s\n",
                    __FILE__, line, src, want, got);
        }
    }
    done(&x);
}
#define ERR(src, msg, l, c, want) err_ok(__LINE__, src, sizeof(src) - 1, msg, l, c, want)

/* Number of error diagnostics for src. */
static size_t nerrors(const char *src, size_t len) {
    Lexed x;
    lex_n(&x, src, len);
    size_t n = x.diags.n;
    done(&x);
    return n;
}

/* ------------------------------------------------------------------ */

static void test_basics(void) {
    TOKS("", "");
    TOKS("   \n\n  ", "");
    TOKS("let x = 1", "let id:x = i:1");
    TOKS("let x = 1\n", "let id:x = i:1 NL");
    TOKS("var _a1 = b_2", "var id:_a1 = id:b_2");
    TOKS("_", "id:_");
    TOKS("const let var func return if else while for in break continue when is as",
         "const let var func return if else while for in break continue when is as");
    TOKS("class struct trait enum extends with public private static self super yield start",
         "class struct trait enum extends with public private static self super yield start");
    TOKS("import export from true false null void where",
         "import export from true false null void where");
    /* contextual words and near-keywords are identifiers */
    TOKS("field get set lets If selfish", "id:field id:get id:set id:lets id:If id:selfish");
    TOKS("timer.start()", "id:timer . start ( )");
    /* a leading byte-order mark is ignored (and columns still start at 1) */
    TOKS("\xEF\xBB\xBFlet a", "let id:a");
    {
        Lexed x;
        lex_s(&x, "\xEF\xBB\xBFlet a");
        CHECK(x.t[0].span.line == 1 && x.t[0].span.col == 1 && x.t[0].span.off == 3);
        CHECK(x.t[1].span.col == 5);
        done(&x);
    }
    /* identical names share one interned pointer; keywords carry their text */
    {
        Lexed x;
        lex_s(&x, "foo bar foo if");
        CHECK(x.t[0].text == x.t[2].text && x.t[0].text != x.t[1].text);
        CHECK(x.t[0].len == 3 && x.t[0].text[3] == '\0');
        CHECK(x.t[3].kind == TK_KW_IF && x.t[3].text && strcmp(x.t[3].text, "if") == 0);
        done(&x);
    }
    CHECK(strcmp(tok_spelling[TK_QQ], "'?\?'") == 0);
    CHECK(strcmp(tok_spelling[TK_USHREQ], "'>>>='") == 0);
    CHECK(strcmp(tok_spelling[TK_EOF], "end of file") == 0);
}

static void test_comments(void) {
    TOKS("a // comment\nb", "id:a NL id:b");
    TOKS("a /* x */ b", "id:a id:b");
    TOKS("// only a comment", "");
    TOKS("/**/x", "id:x");
    TOKS("/* block comments /* do not nest */ c", "id:c");
    TOKS("/* a /* b */ c */", "id:c * /");
    TOKS("print(\"// not a comment\")", "id:print ( s\"// not a comment\" )");
    TOKS("x // h\xC3\xA9llo w\xC3\xB6rld \xE2\x9C\x93", "id:x");
    TOKS("x /* \xE6\x97\xA5\xE6\x9C\xAC */ y", "id:x id:y");
    /* a line break inside a block comment is a line break */
    TOKS("a /* x\n y */ b", "id:a NL id:b");
    TOKS("a = /* x\n y */ b", "id:a = id:b");
    ERR("x\n  /* never closed", "unterminated block comment", 2, 3, "id:x NL");
    ERR("/* a */ /* b", "unterminated block comment", 1, 9, "");
    /* '/' and '/=' are still operators */
    TOKS("a / b /= c", "id:a / id:b /= id:c");
}

static void test_operators(void) {
    TOKS("( ) [ ] { } , ; : :: . ?. ? ?? .. ..= ... => ->",
         "( ) [ ] { } , ; : :: . ?. ? ?? .. ..= ... => ->");
    TOKS("+ - * / % = += -= *= /= %= == != < <= > >= && || !",
         "+ - * / % = += -= *= /= %= == != < <= > >= && || !");
    TOKS("& | ^ ~ << >> >>> &= |= ^= <<= >>= >>>= !!",
         "& | ^ ~ << >> >>> &= |= ^= <<= >>= >>>= !!");
    /* longest match without spaces */
    TOKS("a>>>=b>>>c>>=d>>e>=f>g", "id:a >>>= id:b >>> id:c >>= id:d >> id:e >= id:f > id:g");
    TOKS("a...b..=c..d.e", "id:a ... id:b ..= id:c .. id:d . id:e");
    TOKS("a?.b??c?", "id:a ?. id:b ?? id:c ?");
    TOKS("!!a!=b!c", "!! id:a != id:b ! id:c");
    TOKS("A::B:c", "id:A :: id:B : id:c");
    TOKS("a<<=b<<c<=d<e", "id:a <<= id:b << id:c <= id:d < id:e");
    TOKS("a&&b&=c&d||e|=f|g^=h^i", "id:a && id:b &= id:c & id:d || id:e |= id:f | id:g ^= id:h ^ id:i");
    TOKS("a=>b==c=d->e-=f-g", "id:a => id:b == id:c = id:d -> id:e -= id:f - id:g");
    TOKS("a....b", "id:a ... . id:b");
    TOKS("Array<Array<int>>", "id:Array < id:Array < id:int >>");
    /* space_before decides the two roles of '?' */
    {
        Lexed x;
        lex_s(&x, "f()? a ? b : c");
        CHECK(x.t[0].space_before);                           /* file start */
        CHECK(x.t[3].kind == TK_QUESTION && !x.t[3].space_before);
        CHECK(x.t[5].kind == TK_QUESTION && x.t[5].space_before);
        CHECK(x.t[4].space_before && !x.t[1].space_before);
        done(&x);
    }
    {
        Lexed x;
        lex_s(&x, "a/**/b\n\tc");
        CHECK(x.t[1].space_before);                           /* comment counts */
        CHECK(x.t[3].space_before);                           /* line start */
        done(&x);
    }
}

static void test_bad_chars(void) {
    ERR("let a = 1\nlet b = a # 2", "unexpected character '#'", 2, 11, "let id:a = i:1 NL let id:b = id:a ERR i:2");
    ERR("x @", "unexpected character '@'", 1, 3, "id:x ERR");
    ERR("x = `y`", "unexpected character '`'", 1, 5, "id:x = ERR id:y ERR");
    ERR("caf\xC3\xA9 = 1", "unexpected character '\xC3\xA9'", 1, 4, "id:caf ERR = i:1");
    ERR("a \x01 b", "unexpected character '\\u{1}'", 1, 3, "id:a ERR id:b");
    ERR("'a'", "unexpected character '''", 1, 1, NULL);
    /* invalid UTF-8: anywhere, reported once per file */
    ERR("x // \xFF\xFE bad", "invalid UTF-8 in source", 1, 6, "id:x");
    ERR("s = \"a\xC3\"", "invalid UTF-8 in source", 1, 7, NULL);
    ERR("s = \"\xED\xA0\x80\"", "invalid UTF-8 in source", 1, 6, NULL);   /* surrogate */
    ERR("s = \"\xC0\xAF\"", "invalid UTF-8 in source", 1, 6, NULL);       /* overlong */
    ERR("x \x80", "invalid UTF-8 in source", 1, 3, NULL);
    { static const char s3[] = "// \xFF\n// \xFF\n\"\xFF\""; CHECK(nerrors(s3, sizeof s3 - 1) == 1); }
    /* valid UTF-8 in strings and comments */
    TOKS("\"\xF0\x9F\x98\x80 \xE6\x97\xA5\"", "s\"\xF0\x9F\x98\x80 \xE6\x97\xA5\"");
}

static void test_newlines(void) {
    TOKS("a\n\n\nb", "id:a NL id:b");
    TOKS("\n\n\na\n", "id:a NL");
    TOKS("a;b", "id:a ; id:b");
    TOKS("a\r\nb\r\n", "id:a NL id:b NL");
    TOKS("a  \n \t \n// c\n/* d */\nb", "id:a NL id:b");
    /* rule 1: inside ( and [ no NEWLINE; inside { they count again */
    TOKS("f(\n1,\n2\n)\nx", "id:f ( i:1 , i:2 ) NL id:x");
    TOKS("[\n1\n2\n]", "[ i:1 i:2 ]");
    TOKS("{\na\nb\n}", "{ id:a NL id:b NL }");
    TOKS("f((x: int) => {\n  let y = x\n  return y\n})\nz",
         "id:f ( ( id:x : id:int ) => { let id:y = id:x NL return id:y NL } ) NL id:z");
    TOKS("[{\na\n}\n]", "[ { id:a NL } ]");
    TOKS("(1 +\n 2) * (3\n + 4)", "( i:1 + i:2 ) * ( i:3 + i:4 )");
    /* rule 2: every continuation token */
    static const char *const cont[] = {
        "+", "-", "*", "/", "%", "==", "!=", "<=", ">=", "&&", "||", "??", "..", "=", "+=",
        "-=", "*=", "/=", "%=", ",", "=>", "->", "(", "[", "{", ".", "?.", ":", "&", "|",
        "^", "<<", "&=", "|=", "^=", "<<=", ">>=", ">>>=",
    };
    for (size_t i = 0; i < sizeof cont / sizeof *cont; i++) {
        char src[64];
        snprintf(src, sizeof src, "a %s\nb", cont[i]);
        Lexed x;
        lex_s(&x, src);
        bool nl = false;
        for (size_t j = 0; j < x.n; j++) nl |= x.t[j].kind == TK_NEWLINE;
        checks++;
        if (nl) FAIL("'%s' at line end should continue the line: %s", cont[i], dump(&x));
        done(&x);
    }
    /* ... and tokens that end the line */
    static const char *const ends[] = {
        "<", ">", ">>", ">>>", ")", "]", "}", "!", "!!", "..=", "...", "::", "~", "x", "1", "\"s\"",
    };
    for (size_t i = 0; i < sizeof ends / sizeof *ends; i++) {
        char src[64];
        snprintf(src, sizeof src, "a %s\nb", ends[i]);
        Lexed x;
        lex_s(&x, src);
        bool nl = false;
        for (size_t j = 0; j < x.n; j++) nl |= x.t[j].kind == TK_NEWLINE;
        checks++;
        if (!nl) FAIL("'%s' at line end should end the line: %s", ends[i], dump(&x));
        done(&x);
    }
    TOKS("var grid: Array<Array<int>>\nx", "var id:grid : id:Array < id:Array < id:int >> NL id:x");
    /* '?': conditional (space before) continues, postfix does not */
    TOKS("a ?\nb : c", "id:a ? id:b : id:c");
    TOKS("f()?\nx", "id:f ( ) ? NL id:x");
    TOKS("a ? b :\nc", "id:a ? id:b : id:c");
    /* rule 3: next non-blank line starts with '.' or '?.' */
    TOKS("a\n  .b()\n  ?.c", "id:a . id:b ( ) ?. id:c");
    TOKS("a\n\n  // comment\n  /* c */\n\n  .b", "id:a . id:b");
    TOKS("a\n..b", "id:a NL .. id:b");
    TOKS("a\n?b", "id:a NL ? id:b");
    TOKS("if x {\n}\n.y", "if id:x { } . id:y");
    /* NEWLINE position: where the line ended */
    {
        Lexed x;
        lex_s(&x, "ab  \n\ncd");
        CHECK(x.t[1].kind == TK_NEWLINE);
        CHECK(x.t[1].span.line == 1 && x.t[1].span.col == 5 && x.t[1].span.end_col == 6);
        CHECK(x.t[1].span.off == 4 && x.t[1].span.end_off == 5);
        done(&x);
    }
    /* interpolation holes: brackets inside count, the hole itself suppresses */
    TOKS("\"\"\"${f(\n1)}\"\"\"", "b\"\" id:f ( i:1 ) e\"\"");
    TOKS("\"\"\"${a +\nb}\"\"\"", "b\"\" id:a + id:b e\"\"");
    TOKS("\"\"\"${a\nb}\"\"\"", "b\"\" id:a id:b e\"\"");
    TOKS("\"\"\"${f(() => {\na\nb\n})}\"\"\"",
         "b\"\" id:f ( ( ) => { id:a NL id:b NL } ) e\"\"");
}

static void test_numbers(void) {
    TOKS("42 0 1_000_000", "i:42 i:0 i:1000000");
    TOKS("0xFF 0xff 0x1F_FF 0b1010 0b1111_0000", "i:255 i:255 i:8191 i:10 i:240");
    TOKS("9223372036854775807", "i:9223372036854775807");
    TOKS("9223372036854775808", "i:-9223372036854775808!");
    TOKS("-9223372036854775808", "- i:-9223372036854775808!");
    TOKS("0x7FFFFFFFFFFFFFFF 0xFFFFFFFFFFFFFFFF 0x8000000000000000",
         "i:9223372036854775807 i:-1 i:-9223372036854775808");
    TOKS("0x0000000000000000001", "i:1");
    TOKS("0b1111111111111111111111111111111111111111111111111111111111111111", "i:-1");
    TOKS("0xDEAD_beef", "i:3735928559");
    ERR("x = 9223372036854775809", "integer literal is too large", 1, 5, "id:x = i:0");
    ERR("99999999999999999999", "integer literal is too large", 1, 1, "i:0");
    ERR("0x1_0000_0000_0000_0000", "integer literal is too large", 1, 1, "i:0");
    ERR("0b11111111111111111111111111111111111111111111111111111111111111111",
        "integer literal is too large", 1, 1, "i:0");
    /* '_' only between digits */
    ERR("1_", "'_' in a number literal must be between two digits", 1, 2, NULL);
    ERR("1__0", "'_' in a number literal must be between two digits", 1, 2, NULL);
    ERR("0x_1", "'_' in a number literal must be between two digits", 1, 3, NULL);
    ERR("1_.5", "'_' in a number literal must be between two digits", 1, 2, NULL);
    TOKS("1._5", "i:1 . id:_5");   /* '.' without a digit after it: member access */
    /* floats */
    TOKS("1.0 0.5 1e5 2.5e-3 1_000.25", "f:1 f:0.5 f:100000 f:0.0025000000000000001 f:1000.25");
    TOKS("6.67e-11 1E+9 12.5e2 3.14159", "f:6.67e-11 f:1000000000 f:1250 f:3.1415899999999999");
    TOKS("1e1_0", "f:10000000000");
    ERR("1e400", "float literal is too large", 1, 1, "f:0");
    TOKS("1e-400", "f:0");
    /* a '.' needs digits on both sides */
    TOKS("0..10", "i:0 .. i:10");
    TOKS("1...2 1..=2", "i:1 ... i:2 i:1 ..= i:2");
    TOKS("5. .5", "i:5 . . i:5");
    TOKS("5.abs()", "i:5 . id:abs ( )");
    TOKS("1.5.toString()", "f:1.5 . id:toString ( )");
    /* after '.', a number is a decimal tuple index */
    TOKS("pair.0", "id:pair . i:0");
    TOKS("nested.1.0", "id:nested . i:1 . i:0");
    TOKS("t.1.0.2", "id:t . i:1 . i:0 . i:2");
    TOKS("t?.1", "id:t ?. i:1");
    TOKS("t.0 + 1.0", "id:t . i:0 + f:1");
    TOKS("t.\n0", "id:t . i:0");
    /* malformed */
    ERR("0x", "missing digits after '0x'", 1, 1, "i:0");
    ERR("0b", "missing digits after '0b'", 1, 1, "i:0");
    ERR("0b102", "invalid digit '2' in binary literal", 1, 1, "i:0");
    ERR("12ab + 1", "invalid character 'a' in number literal", 1, 1, "i:0 + i:1");
    ERR("0xFFg", "invalid character 'g' in number literal", 1, 1, "i:0");
    ERR("1e", "invalid character 'e' in number literal", 1, 1, "i:0");
    ERR("1e+", "invalid character 'e' in number literal", 1, 1, NULL);
    ERR("0XFF", "invalid character 'X' in number literal", 1, 1, "i:0");
    ERR("t.0a", "invalid character 'a' in number literal", 1, 3, "id:t . i:0");
    /* values and spans of numbers */
    {
        Lexed x;
        lex_s(&x, "  0x1_F");
        CHECK(x.t[0].kind == TK_INT && x.t[0].num.i == 31);
        CHECK(x.t[0].span.col == 3 && x.t[0].span.end_col == 8);
        CHECK(x.t[0].span.off == 2 && x.t[0].span.end_off == 7);
        done(&x);
    }
}

static void test_strings(void) {
    TOKS("\"hello\"", "s\"hello\"");
    TOKS("\"\"", "s\"\"");
    TOKS("\"\" \"\"", "s\"\" s\"\"");
    TOKS("\"a\\nb\\tc\\rd\\\\e\\\"f\\$g\"", "s\"a\\nb\\tc\\rd\\\\e\\\"f$g\"");
    TOKS("\"\\u{48}\\u{49}\\u{e9}\\u{65E5}\\u{1F600}\\u{10FFFF}\"",
         "s\"HI\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\"");
    {
        Lexed x;
        lex_s(&x, "\"nul:\\0:\\u{0}\"");
        CHECK(x.t[0].kind == TK_STRING && x.t[0].len == 7);
        CHECK(memcmp(x.t[0].text, "nul:\0:\0", 7) == 0);
        done(&x);
    }
    ERR("let s = \"bad \\q escape\"", "unknown escape sequence '\\q'", 1, 14, "let id:s = s\"bad  escape\"");
    ERR("\"\\\xC3\xA9\"", "unknown escape sequence '\\\xC3\xA9'", 1, 2, "s\"\"");
    ERR("\"\\x41\"", "unknown escape sequence '\\x'", 1, 2, "s\"41\"");
    ERR("let u = \"\\u{110000}\"", "invalid unicode escape", 1, 10, "let id:u = s\"\"");
    ERR("\"\\u{D800}\"", "invalid unicode escape", 1, 2, "s\"\"");
    ERR("\"\\u{DFFF}x\"", "invalid unicode escape", 1, 2, "s\"x\"");
    ERR("\"\\u{}\"", "invalid unicode escape", 1, 2, "s\"\"");
    ERR("\"\\u{1234567}\"", "invalid unicode escape", 1, 2, "s\"\"");
    ERR("\"\\u41\"", "invalid unicode escape", 1, 2, "s\"41\"");
    ERR("\"\\u{41\"", "invalid unicode escape", 1, 2, "s\"\"");
    /* unterminated: reported at the opening quote; lexing goes on next line */
    ERR("let ok = 1\nlet s = \"never closed\nlet t = 2", "unterminated string", 2, 9,
        "let id:ok = i:1 NL let id:s = s\"never closed\" NL let id:t = i:2");
    ERR("\"abc", "unterminated string", 1, 1, "s\"abc\"");
    ERR("x = \"abc\\", "unterminated string", 1, 5, "id:x = s\"abc\"");
    ERR("\"abc\\\nx", "unterminated string", 1, 1, "s\"abc\" NL id:x");
    /* spans of strings count code points */
    {
        Lexed x;
        lex_s(&x, "s = \"h\xC3\xA9llo\" + y");
        CHECK(x.t[2].kind == TK_STRING && x.t[2].span.col == 5 && x.t[2].span.end_col == 12);
        CHECK(x.t[2].span.off == 4 && x.t[2].span.end_off == 12);
        CHECK(x.t[4].span.col == 15 && x.t[4].span.off == 15);
        done(&x);
    }
}

static void test_interpolation(void) {
    TOKS("\"Hi $name!\"", "b\"Hi \" id:name e\"!\"");
    TOKS("\"hp: ${hp * 2}\"", "b\"hp: \" id:hp * i:2 e\"\"");
    TOKS("\"sum ${1 + 2} and ${hp > 40}\"", "b\"sum \" i:1 + i:2 m\" and \" id:hp > i:40 e\"\"");
    TOKS("\"Cost: \\$5\"", "s\"Cost: $5\"");
    TOKS("\"Price $5\"", "s\"Price $5\"");
    TOKS("\"$ alone\"", "s\"$ alone\"");
    TOKS("\"end$\"", "s\"end$\"");
    TOKS("\"\\$name\"", "s\"$name\"");
    TOKS("\"$name.len()\"", "b\"\" id:name e\".len()\"");
    TOKS("\"$player.name\"", "b\"\" id:player e\".name\"");
    TOKS("\"$name$hp\"", "b\"\" id:name m\"\" id:hp e\"\"");
    TOKS("\"$self\"", "b\"\" self e\"\"");
    TOKS("\"$_x\"", "b\"\" id:_x e\"\"");
    TOKS("\"${name.len()} letters\"", "b\"\" id:name . id:len ( ) e\" letters\"");
    TOKS("\"${items.join(\", \")}\"", "b\"\" id:items . id:join ( s\", \" ) e\"\"");
    TOKS("\"${\"nested ${name}\"}!\"", "b\"\" b\"nested \" id:name e\"\" e\"!\"");
    TOKS("\"${ {\"a\": 1}[\"a\"] }\"", "b\"\" { s\"a\" : i:1 } [ s\"a\" ] e\"\"");
    TOKS("\"a${\"b${\"c${d}\"}\"}e\"", "b\"a\" b\"b\" b\"c\" id:d e\"\" e\"\" e\"e\"");
    TOKS("\"${}\"", "b\"\" e\"\"");
    TOKS("f(\"$a\", \"${b}\")", "id:f ( b\"\" id:a e\"\" , b\"\" id:b e\"\" )");
    /* after a string with holes, newline rules are normal again */
    TOKS("x = \"${a}\"\ny", "id:x = b\"\" id:a e\"\" NL id:y");
    /* a string piece tiles its source: STR_BEGIN '"text${', IDENT, '}text"' */
    {
        Lexed x;
        lex_s(&x, "\"ab${c}d\"");
        CHECK(x.t[0].kind == TK_STR_BEGIN && x.t[0].span.col == 1 && x.t[0].span.end_col == 6);
        CHECK(x.t[1].kind == TK_IDENT && x.t[1].span.col == 6 && !x.t[1].space_before);
        CHECK(x.t[2].kind == TK_STR_END && x.t[2].span.col == 7 && x.t[2].span.end_col == 10);
        done(&x);
    }
    {
        Lexed x;
        lex_s(&x, "x \"$n!\"");
        CHECK(x.t[1].kind == TK_STR_BEGIN && x.t[1].space_before);
        CHECK(x.t[2].kind == TK_IDENT && x.t[2].span.col == 5 && x.t[2].span.end_col == 6);
        CHECK(x.t[3].kind == TK_STR_END && !x.t[3].space_before && x.t[3].span.col == 6);
        done(&x);
    }
    /* unterminated holes */
    ERR("\"${a", "unterminated string", 1, 1, "b\"\" id:a e\"\"");
    ERR("x = \"${f(a\ny", "unterminated string", 1, 5, "id:x = b\"\" id:f ( id:a e\"\" NL id:y");
    ERR("\"${a}b\nc", "unterminated string", 1, 1, "b\"\" id:a e\"b\" NL id:c");
    ERR("\"\"\"${a", "unterminated string", 1, 1, NULL);
}

static void test_triple(void) {
    /* the §1.6 example */
    TOKS("let block = \"\"\"\n    Player: $name\n      indented\n    \"\"\"",
         "let id:block = b\"Player: \" id:name e\"\\n  indented\"");
    TOKS("\"\"\"\n        deep\n          deeper\n    \"\"\"", "s\"    deep\\n      deeper\"");
    TOKS("\"\"\"\n    a\n\n    b\n    \"\"\"", "s\"a\\n\\nb\"");
    TOKS("\"\"\"He said \"yes\" and left\"\"\"", "s\"He said \\\"yes\\\" and left\"");
    TOKS("\"\"\"top\n    second\n    \"\"\"", "s\"top\\n    second\"");
    TOKS("\"\"\"\n  a\n  b\"\"\"", "s\"a\\nb\"");
    /* escapes and interpolation come after dedent and are never dedented */
    TOKS("\"\"\"\n    line one\\n  escaped two\n    ${inner}\n    cost \\$5\n    \"\"\"",
         "b\"line one\\n  escaped two\\n\" id:inner e\"\\ncost $5\"");
    TOKS("\"\"\"\n    p\n  \n    q\n    \"\"\"", "s\"p\\n\\nq\"");
    /* closing line indentation takes part (less indented closing keeps some) */
    TOKS("\"\"\"\n    a\n      b\n  \"\"\"", "s\"  a\\n    b\"");
    TOKS("\"\"\"\n    a\n    \"\"\" + x", "s\"a\" + id:x");
    TOKS("\"\"\"\n\"\"\"", "s\"\"");
    TOKS("\"\"\"\n   \"\"\"", "s\"\"");
    TOKS("\"\"\"\"\"\"", "s\"\"");
    TOKS("\"\"\"  \"\"\"", "s\"\"");
    TOKS("\"\"\"  hi\"\"\"", "s\"hi\"");
    TOKS("\"\"\"a\\tb\"\"\"", "s\"a\\tb\"");
    /* tabs are indentation characters too */
    TOKS("\"\"\"\n\t\ta\n\t\tb\n\t\t\"\"\"", "s\"a\\nb\"");
    /* CRLF line breaks read as LF */
    TOKS("\"\"\"\r\n    a\r\n    b\r\n    \"\"\"\r\nx", "s\"a\\nb\" NL id:x");
    /* a string can be followed by more code on the closing line and spans lines */
    {
        Lexed x;
        lex_s(&x, "x = \"\"\"\n  a\n  \"\"\"\ny");
        CHECK(x.n == 6 && x.t[2].kind == TK_STRING);
        CHECK(x.t[2].span.line == 1 && x.t[2].span.col == 5);
        CHECK(x.t[2].span.end_line == 3 && x.t[2].span.end_col == 6);
        CHECK(x.t[3].kind == TK_NEWLINE && x.t[3].span.line == 3);
        CHECK(x.t[4].kind == TK_IDENT && x.t[4].span.line == 4);
        done(&x);
    }
    /* holes spanning lines, nested strings and comments inside holes */
    TOKS("\"\"\"\n    a ${f(1,\n  2)} b\n    c\n    \"\"\"",
         "b\"a \" id:f ( i:1 , i:2 ) e\" b\\nc\"");
    TOKS("\"\"\"\n  ${\"}\"} x\n  \"\"\"", "b\"\" s\"}\" e\" x\"");
    TOKS("\"\"\"\n  ${g(\"\"\"\n      in\n      \"\"\")} x\n  \"\"\"",
         "b\"\" id:g ( s\"in\" ) e\" x\"");
    TOKS("\"\"\"\n  ${a /* } */ + b}\n  \"\"\"", "b\"\" id:a + id:b e\"\"");
    TOKS("\"\"\"\n  ${ {1: 2} }\n  \"\"\"", "b\"\" { i:1 : i:2 } e\"\"");
    TOKS("\"\"\"\n  $\n  \"\"\"", "s\"$\"");
    /* errors */
    ERR("x = 1\ns = \"\"\"\n  never closed\n", "unterminated string", 2, 5, NULL);
    ERR("\"\"\"\n  \\q\n  \"\"\"", "unknown escape sequence '\\q'", 2, 3, "s\"\"");
    ERR("\"\"\"a\\\nb\"\"\"", "unknown escape sequence '\\' at end of line", 1, 5, "s\"a\\nb\"");
}

static void test_eof_and_memory(void) {
    Lexed x;
    lex_s(&x, "a\nb");
    CHECK(x.n == 4 && x.t[3].kind == TK_EOF);
    CHECK(x.t[3].span.line == 2 && x.t[3].span.col == 2 && x.t[3].span.off == 3);
    done(&x);
    lex_s(&x, "a +");
    CHECK(x.n == 3 && x.t[2].kind == TK_EOF);
    done(&x);
    lex_s(&x, "a +\n");
    CHECK(x.n == 3 && x.t[2].kind == TK_EOF);   /* a continuation line gives no NEWLINE */
    done(&x);
    /* many lines and deep nesting: no leaks, stack growth */
    {
        Buf b;
        buf_init(&b, vm);
        for (int i = 0; i < 5000; i++) buf_puts(&b, "let v = f((1 + 2) * [3, \"s$x${y}\"][0])\n");
        for (int i = 0; i < 3000; i++) buf_putc(&b, '(');
        for (int i = 0; i < 3000; i++) buf_putc(&b, ')');
        lex_n(&x, b.data, b.len);
        CHECK(x.diags.n == 0);
        CHECK(x.t[x.n - 1].kind == TK_EOF && x.t[x.n - 1].span.line == 5001);
        done(&x);
        buf_free(&b);
    }
    arena_cache_free(vm);
    CHECK(vm->bytes == 0);
}

int main(void) {
    vm = new_vm();
    test_basics();
    test_comments();
    test_operators();
    test_bad_chars();
    test_newlines();
    test_numbers();
    test_strings();
    test_interpolation();
    test_triple();
    test_eof_and_memory();
    arena_cache_free(vm);
    if (vm->bytes != 0) FAIL("leaked %zu bytes", vm->bytes);
    mem_free_all(vm);               /* the VM's table of live blocks (mem.c) */
    free(vm);
    printf("test_lex: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
