#define _DEFAULT_SOURCE 1
/* test_lib_fuzz.c — fuzz-style robustness of the json and regex modules:
 * thousands of malformed JSON texts (mutations and truncations of seed
 * documents, lone surrogates, huge numbers, deep nesting) through parseJson
 * and fromJson, and random or malformed regex patterns and subjects.  Every
 * case must end as a clean Error value or runtime error, never a crash, and
 * the VM's allocations must return to zero.  Run under `make sanitize` too. */
#include "../../include/writ.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures, checks;
#define CHECK(c) do { checks++; if (!(c)) { failures++; fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); } } while (0)

typedef struct Out { char buf[1 << 16]; size_t n; } Out;
static void sink(void *ud, const char *s, size_t n) {
    Out *o = ud;
    if (o->n + n < sizeof o->buf) { memcpy(o->buf + o->n, s, n); o->n += n; o->buf[o->n] = 0; }
}

typedef struct Counter { long live; } Counter;
static void *counting_alloc(void *ud, void *p, size_t old, size_t n) {
    Counter *c = ud;
    (void)old;
    if (n == 0) { if (p) c->live--; free(p); return NULL; }
    void *r = realloc(p, n);
    if (!p) c->live++;
    return r;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint32_t rnd(uint32_t n) {
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

/* A growable text buffer. */
typedef struct Text { char *s; size_t n, cap; } Text;
static void put(Text *t, const char *s, size_t n) {
    if (t->n + n + 1 > t->cap) { t->cap = (t->n + n + 1) * 2; t->s = realloc(t->s, t->cap); }
    memcpy(t->s + t->n, s, n);
    t->n += n;
    t->s[t->n] = 0;
}
static void puts_(Text *t, const char *s) { put(t, s, strlen(s)); }

/* s as a Writ string literal. */
static void put_literal(Text *t, const char *s, size_t n) {
    puts_(t, "\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char tmp[16];
        if (c == '\\') puts_(t, "\\\\");
        else if (c == '"') puts_(t, "\\\"");
        else if (c == '$') puts_(t, "\\$");
        else if (c < 0x20 || c == 0x7f) { snprintf(tmp, sizeof tmp, "\\u{%x}", c); puts_(t, tmp); }
        else put(t, (const char *)&c, 1);
    }
    puts_(t, "\"");
}

/* Runs a script in a fresh VM; returns its status, output in *o. */
static writ_status run(const char *src, Out *o) {
    Counter c = {0};
    writ_config cfg;
    writ_config_init(&cfg);
    cfg.write = sink;
    cfg.write_ud = o;
    cfg.alloc = counting_alloc;
    cfg.alloc_ud = &c;
    writ_vm *vm = writ_vm_new(&cfg);
    writ_status st = writ_load_string(vm, "fuzz", src, strlen(src));
    if (st != WRIT_OK && st != WRIT_ERROR_RUNTIME) fprintf(stderr, "%s\n", writ_error_text(vm));
    if (st == WRIT_ERROR_RUNTIME) {
        const char *e = writ_error_text(vm);
        o->n = 0;
        snprintf(o->buf, sizeof o->buf, "%s", e);
    }
    writ_vm_free(vm);
    CHECK(c.live == 0);
    return st;
}

static const char *const seeds[] = {
    "{\"name\": \"Ann\", \"hp\": 30, \"ratio\": 0.5, \"tags\": [\"a\", \"b\"], \"ok\": true, \"none\": null}",
    "[1, -2.5e-3, 1e308, 12345678901234567890, \"\\u00e9\\ud83d\\ude00\\n\", {\"a\": [[], {}]}, false]",
    "{\"players\": [{\"name\": \"x\", \"stats\": {\"hp\": 1, \"speed\": 2}}], \"dup\": 1, \"dup\": 2}",
    "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041é😀\"",
};
static const char *const noise[] = {"{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud800", "\\udc00", "0", "-",
    "e", ".", "1e99999", "00", "n", "t", "f", " ", "\n", "é", "😀", "\x01", "9999999999999999999999", "tru", "nul"};

/* i moved back to the start of a UTF-8 sequence (sources must stay valid UTF-8) */
static size_t boundary(const char *s, size_t i) {
    while (i > 0 && (((unsigned char)s[i]) & 0xc0) == 0x80) i--;
    return i;
}

static void fuzz_json(void) {
    int batches = 20, per = 150;
    for (int b = 0; b < batches; b++) {
        Text t = {0};
        puts_(&t, "struct S { public name: string = \"\"\n public hp: int = 0 }\nlet texts = [");
        for (int k = 0; k < per; k++) {
            const char *seed = seeds[rnd(sizeof seeds / sizeof seeds[0])];
            Text d = {0};
            size_t n = strlen(seed);
            int mode = (int)rnd(3);
            if (mode == 0) put(&d, seed, boundary(seed, rnd((uint32_t)n + 1)));      /* truncated */
            else {
                size_t at = boundary(seed, rnd((uint32_t)n + 1)), cut = mode == 1 ? rnd(4) : 0;
                if (at + cut > n) cut = n - at;
                cut = boundary(seed, at + cut) - at;
                put(&d, seed, at);
                int nn = 1 + (int)rnd(3);
                for (int q = 0; q < nn; q++) puts_(&d, noise[rnd(sizeof noise / sizeof noise[0])]);
                put(&d, seed + at + cut, n - at - cut);
            }
            if (k) puts_(&t, ",\n");
            put_literal(&t, d.s ? d.s : "", d.n);
            free(d.s);
        }
        puts_(&t, "]\nvar ok = 0\nvar bad = 0\nfor s in texts {\n"
                  "    if parseJson(s).isSuccess { ok += 1 } else { bad += 1 }\n"
                  "    if fromJson<Json>(s).isSuccess { ok += 1 } else { bad += 1 }\n"
                  "    if fromJson<Dictionary<string, Json>>(s).isSuccess { ok += 1 } else { bad += 1 }\n"
                  "    if fromJson<Array<Optional<float>>>(s).isSuccess { ok += 1 } else { bad += 1 }\n"
                  "    if fromJson<S>(s).isSuccess { ok += 1 } else { bad += 1 }\n"
                  "    when parseJson(s) {\n"
                  "        is Success(j) => assert(toJson(parseJson(toJson(j)) ?? j) == toJson(j))\n"
                  "        is Error(e) => assert(e.startsWith(\"invalid JSON at line \"))\n"
                  "    }\n"
                  "}\nprint(ok + bad)\n");
        Out o = {0};
        writ_status st = run(t.s, &o);
        CHECK(st == WRIT_OK);
        char want[32];
        snprintf(want, sizeof want, "%d\n", per * 5);
        CHECK(strcmp(o.buf, want) == 0);
        free(t.s);
    }
}

#ifdef WRIT_HAVE_PCRE2
static void fuzz_regex(void) {
    static const char alphabet[] = "()[]{}*+?|\\^$.-,:=!<>PpdwsbBkxa0123";
    static const char *const bad[] = {"(", ")", "[", "[a-", "a{2,1}", "*", "+a", "(?<n>a)(?<n>b)", "\\", "(?P<", "[[:foo:]]",
        "\\k<x>", "(?<=a+)b", "a**", "\\p{Nope}", "(?z)", "x{99999999}"};
    int nbad = (int)(sizeof bad / sizeof bad[0]);
    for (int k = 0; k < nbad + 1500; k++) {
        Text pat = {0};
        if (k < nbad) puts_(&pat, bad[k]);
        else {
            int n = 1 + (int)rnd(12);
            for (int q = 0; q < n; q++) put(&pat, &alphabet[rnd(sizeof alphabet - 1)], 1);
        }
        Text t = {0};
        puts_(&t, "let r = Regex(");
        put_literal(&t, pat.s, pat.n);
        puts_(&t, ")\nlet s = \"aa(b)c {1} x-y é😀 dd 12 <a> \\\\ $$\"\n"
                  "print(r.test(s))\nprint(r.matchAll(s).len() >= 0)\nprint(r.split(s).len() > 0)\n"
                  "print(r.replaceAll(s, \"<\\$0>\").len() >= 0)\nprint(r.captures(s) != null || true)\n");
        Out o = {0};
        writ_status st = run(t.s, &o);
        CHECK(st == WRIT_OK || st == WRIT_ERROR_RUNTIME);
        if (st == WRIT_ERROR_RUNTIME) {
            bool ok = strstr(o.buf, "error: invalid regex \"") == o.buf || strstr(o.buf, "error: regex match failed") == o.buf;
            CHECK(ok);
            if (!ok) fprintf(stderr, "pattern %s: %s\n", pat.s, o.buf);
        }
        if (k < nbad) CHECK(st == WRIT_ERROR_RUNTIME);
        free(pat.s);
        free(t.s);
    }
    /* catastrophic backtracking and long subjects end cleanly */
    Out o = {0};
    writ_status st = run("var s = \"\"\nfor i in 0..30 { s += \"a\" }\nprint(Regex(\"(a+)+b\").test(s + \"c\"))\n", &o);
    CHECK(st == WRIT_OK || (st == WRIT_ERROR_RUNTIME && strstr(o.buf, "regex match failed")));
    o.n = 0;
    st = run("var s = \"\"\nfor i in 0..100000 { s += \"ab\" }\nprint(Regex(\"b\").matchAll(s).len())\n"
             "print(Regex(\"\").split(s).len())\nprint(Regex(\"x*\").replaceAll(s, \"-\").len())\n", &o);
    CHECK(st == WRIT_OK);
    CHECK(strcmp(o.buf, "100000\n200002\n400001\n") == 0);
}

#endif

int main(void) {
    fuzz_json();
#ifdef WRIT_HAVE_PCRE2
    fuzz_regex();
#endif
    if (failures) fprintf(stderr, "test_lib_fuzz: %d of %d checks failed\n", failures, checks);
    return failures ? 1 : 0;
}
