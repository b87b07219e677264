/* test_parse.c — parser unit tests: source snippets are lexed and parsed,
 * and the S-expression dump (ast_dump.h) or the diagnostics ("L:C: msg",
 * in source order) are compared with the expected text. */
#include "parse.h"
#include "lex.h"
#include "ast_dump.h"
#include "vm.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

static int failures, checks;

static void *test_alloc(void *ud, void *p, size_t o, size_t n) {
    (void)ud; (void)o;
    if (n == 0) { free(p); return NULL; }
    return realloc(p, n);
}

static VM *vm;

typedef struct Parsed {
    Arena arena;
    Diags diags;
    Source src;
    Program *prog;
    Token *toks;
    size_t ntoks;
    char *dump;    /* malloc'ed, trailing newline removed */
    char *errors;  /* malloc'ed: "L:C: msg" lines joined by '\n' */
} Parsed;

static int cmp_diag(const void *a, const void *b) {
    const Diag *x = a, *y = b;
    if (x->span.off != y->span.off) return x->span.off < y->span.off ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static char *take(Buf *b) {
    char *s = malloc(b->len + 1);
    memcpy(s, b->data ? b->data : "", b->len);
    s[b->len] = 0;
    while (b->len && s[b->len - 1] == '\n') s[--b->len] = 0;
    return s;
}

static void parse_src(Parsed *r, const char *code) {
    arena_init(&r->arena, vm);
    diags_init(&r->diags, &r->arena);
    r->src.name = "test.writ";
    r->src.text = code;
    r->src.len = strlen(code);
    r->toks = lex_source(&r->arena, &r->diags, &r->src, &r->ntoks);
    r->prog = parse_program(&r->arena, &r->diags, &r->src, r->toks, r->ntoks);
    Buf b;
    buf_init(&b, vm);
    ast_dump_program(r->prog, &b);
    r->dump = take(&b);
    buf_free(&b);
    buf_init(&b, vm);
    if (r->diags.n) qsort(r->diags.items, r->diags.n, sizeof(Diag), cmp_diag);
    for (size_t i = 0; i < r->diags.n; i++) {
        Diag *d = &r->diags.items[i];
        buf_printf(&b, "%s%u:%u: %s", i ? "\n" : "", d->span.line, d->span.col, d->msg);
        if (d->note) buf_printf(&b, " [note: %s]", d->note);
    }
    r->errors = take(&b);
    buf_free(&b);
}

static void done(Parsed *r) {
    free(r->dump);
    free(r->errors);
    diags_free(&r->diags, vm);
    arena_free(&r->arena);
}

#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; \
    fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__); fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

/* The dump of `code` must equal `want` and there must be no diagnostics. */
#define AST(code, want) check_ast(__LINE__, code, want)
static void check_ast(int line, const char *code, const char *want) {
    Parsed r;
    parse_src(&r, code);
    checks++;
    if (strcmp(r.dump, want) != 0 || r.errors[0]) {
        failures++;
        fprintf(stderr, "test_parse.c:%d: FAIL\n  source: %s\n  want:   %s\n  got:    %s\n", line, code, want, r.dump);
        if (r.errors[0]) fprintf(stderr, "  errors: %s\n", r.errors);
    }
    done(&r);
}

/* The diagnostics of `code` must equal `want`; if `dump` is given, the
 * (partial) tree too. */
#define ERR(code, want) check_err(__LINE__, code, want, NULL)
#define ERR_AST(code, want, dump) check_err(__LINE__, code, want, dump)
static void check_err(int line, const char *code, const char *want, const char *dump) {
    Parsed r;
    parse_src(&r, code);
    checks++;
    bool ok = strcmp(r.errors, want) == 0 && r.diags.syntax_error && (!dump || strcmp(r.dump, dump) == 0);
    if (!ok) {
        failures++;
        fprintf(stderr, "test_parse.c:%d: FAIL\n  source: %s\n  want errors: %s\n  got errors:  %s\n", line, code, want, r.errors);
        if (dump) fprintf(stderr, "  want dump: %s\n  got dump:  %s\n", dump, r.dump);
        if (!r.diags.syntax_error) fprintf(stderr, "  syntax_error not set\n");
    }
    done(&r);
}

static void test_precedence(void) {
    /* §2.5 and its worked examples */
    AST("flags & MASK == 0", "(== (& flags MASK) 0)");
    AST("1 + 2 << 3", "(<< (+ 1 2) 3)");
    AST("opt ?? 0 > 5", "(> (?? opt 0) 5)");
    AST("\"hp: \" .. hp ?? 0", "(.. \"hp: \" (?? hp 0))");
    AST("-x as int", "(as (- x) int)");
    AST("a * b as float", "(* a (as b float))");
    AST("a ?? b ?? c", "(?? a (?? b c))");
    AST("a - b - c", "(- (- a b) c)");
    AST("a / b % c * d", "(* (% (/ a b) c) d)");
    AST("a || b && c || d", "(|| (|| a (&& b c)) d)");
    AST("a == b != c", "(!= (== a b) c)");
    AST("1 < 2 == true", "(== (< 1 2) true)");
    AST("a | b ^ c & d", "(| a (^ b (& c d)))");
    AST("a & b | c ^ d", "(| (& a b) (^ c d))");
    AST("a >> b >>> c << d", "(<< (>>> (>> a b) c) d)");
    AST("a .. b .. c", "(.. (.. a b) c)");
    AST("1 + 1 .. 2 * 2", "(.. (+ 1 1) (* 2 2))");
    AST("\"sum: \" .. 1 + 2 * 3", "(.. \"sum: \" (+ 1 (* 2 3)))");
    AST("a ?? b | c", "(?? a (| b c))");
    AST("a .. b ?? c .. d", "(.. (.. a (?? b c)) d)");
    AST("x is Foo && y", "(&& (is x Foo) y)");
    AST("a == b is T", "(== a (is b T))");
    AST("x is Array<int> == true", "(== (is x Array<int>) true)");
    AST("x as float < y", "(< (as x float) y)");
    AST("x as int as float", "(as (as x int) float)");
    AST("-a * b", "(* (- a) b)");
    AST("- - a", "(- (- a))");
    AST("!a.b()", "(! (call (. a b)))");
    AST("~a & !b", "(& (~ a) (! b))");
    AST("print(!!flag)", "(call print (! (! flag)))");
    AST("!!!a!!", "(! (! (! (!! a))))");
    AST("c ? a : b", "(? c a b)");
    AST("c ? a : d ? e : f", "(? c a (? d e f))");
    AST("a || b ? c + 1 : d", "(? (|| a b) (+ c 1) d)");
    AST("c ? x ? y : z : w", "(? c (? x y z) w)");
    AST("true ? 1 : 2 + 10", "(? true 1 (+ 2 10))");
    AST("opt ?? 0 ? a : b", "(? (?? opt 0) a b)");
}

static void test_postfix(void) {
    AST("f(x)?", "(prop (call f x))");
    AST("c ? f(x)? : 0", "(? c (prop (call f x)) 0)");
    AST("x!!.y", "(. (!! x) y)");
    AST("a?.b?.c ?? d", "(?? (?. (?. a b) c) d)");
    AST("x?.m(1)", "(call (?. x m) 1)");
    AST("a[i][j].k", "(. (index (index a i) j) k)");
    AST("pair.0", "(. pair 0)");
    AST("nested.1.0", "(. (. nested 1) 0)");
    AST("timer.start()", "(call (. timer start))");
    AST("x?.yield", "(?. x yield)");
    AST("w::createSword(damage: w::MAX)", "(call w::createSword (damage: w::MAX))");
    AST("super.takeDamage(amount * 0.5)", "(call super.takeDamage (* amount 0.5))");
    AST("self.hp", "(. self hp)");
    AST("f()()", "(call (call f))");
    AST("Tween(from: 0.0, to: 10.0, duration: 2.0)",
        "(call Tween (from: 0.0) (to: 10.0) (duration: 2.0))");
    AST("f(a, b: 1,)", "(call f a (b: 1))");
    AST("sum(...nums)", "(call sum (... nums))");
    AST("-9223372036854775808", "-9223372036854775808");
    AST("0 - 5", "(- 0 5)");
    AST("1.5 + 2.0e3", "(+ 1.5 2000.0)");
}

static void test_generics(void) {
    AST("first<int>(xs)", "(call first <int> xs)");
    AST("a < b", "(< a b)");
    AST("a < b && c > d", "(&& (< a b) (> c d))");
    AST("a < b > (c)", "(call a <b> c)");
    AST("f<Array<int>>(x)", "(call f <Array<int>> x)");
    AST("f<Dictionary<string, Array<int>>>(x)", "(call f <Dictionary<string, Array<int>>> x)");
    AST("a < b >> c", "(< a (>> b c))");
    AST("o.m<int, string>()", "(call (. o m) <int, string>)");
    AST("ns::f<int>(1)", "(call ns::f <int> 1)");
    AST("Stack<int>()", "(call Stack <int>)");
    AST("f<(int) -> bool>(g)", "(call f <(int) -> bool> g)");
    AST("a < (b + c)", "(< a (+ b c))");
    AST("x < 1", "(< x 1)");
    AST("f(a < b, c > d)", "(call f (< a b) (> c d))");
}

static void test_types(void) {
    AST("var grid: Array<Array<int>>", "(var grid:Array<Array<int>>)");
    AST("let a: Array<Array<int>>= []", "(let a:Array<Array<int>> (array))");
    AST("let a: Array<Array<Array<int>>>= []", "(let a:Array<Array<Array<int>>> (array))");
    AST("var f: (int, int) -> bool = g", "(var f:(int, int) -> bool g)");
    AST("var f: () -> void", "(var f:() -> void)");
    AST("var f: (int) => (int) -> int", "(var f:(int) -> (int) -> int)");
    AST("var t: (int, (string, bool))", "(var t:(int, (string, bool)))");
    AST("var t: (int)", "(var t:int)");
    AST("let s: w::Sword<int> = x", "(let s:w::Sword<int> x)");
    AST("let r: Result<void> = f()", "(let r:Result<void> (call f))");
}

static void test_collections(void) {
    AST("(a, b)", "(tuple a b)");
    AST("(a, b,)", "(tuple a b)");
    AST("(a)", "a");
    AST("((a, b), c)", "(tuple (tuple a b) c)");
    AST("[]", "(array)");
    AST("[1, ...xs, 2,]", "(array 1 (... xs) 2)");
    AST("let d = {}", "(let d (dict))");
    AST("let d = {\"a\": 1, ...e}", "(let d (dict (\"a\" 1) (... e)))");
    AST("let d = {\n  \"a\": 1,\n  \"b\": 2\n}\nx", "(let d (dict (\"a\" 1) (\"b\" 2)))\nx");
    AST("let d = {\n  \"a\"\n  : 1\n  , \"b\": {\n \"c\": 3\n }\n}", "(let d (dict (\"a\" 1) (\"b\" (dict (\"c\" 3)))))");
    AST("let m = {Direction.North: 3}", "(let m (dict ((. Direction North) 3)))");
    AST("\"hp: $hp!\"", "(interp \"hp: \" hp \"!\")");
    AST("\"${a + 1}\"", "(interp (+ a 1))");
    AST("\"a${x}b${y}\"", "(interp \"a\" x \"b\" y)");
    AST("\"${names.join(\", \")}\"", "(interp (call (. names join) \", \"))");
    AST("\"plain\\n\"", "\"plain\\n\"");
}

static void test_lambdas(void) {
    AST("let double = (x: int) => x * 2", "(let double (lambda ((x int)) (* x 2)))");
    AST("let f = () => {}", "(let f (lambda () (block)))");
    AST("let f = () => ({\"a\": 1})", "(let f (lambda () (dict (\"a\" 1))))");
    AST("let log = (msg: string) => {\n  print(msg)\n  return\n}",
        "(let log (lambda ((msg string)) (block (call print msg) (return))))");
    AST("xs.map((p: Player) => p.name).join(\"-\")",
        "(call (. (call (. xs map) (lambda ((p Player)) (. p name))) join) \"-\")");
    AST("let f = (a: int, b: (int) -> int) => b(a)", "(let f (lambda ((a int) (b (int) -> int)) (call b a)))");
    AST("let f = (x: int) => (y: int) => x + y", "(let f (lambda ((x int)) (lambda ((y int)) (+ x y))))");
    AST("c ? (x: int) => x : g", "(? c (lambda ((x int)) x) g)");
    AST("run(() => {\n  a()\n  b()\n}, 2)", "(call run (lambda () (block (call a) (call b))) 2)");
}

static void test_statements(void) {
    AST("let x = 1; var y: int = 2\nconst Z = 3", "(let x 1)\n(var y:int 2)\n(const Z 3)");
    AST("\n\n;;let x = 1;;\n\n", "(let x 1)");
    AST("let (x, y) = p\nvar (a, (b, _)) = n", "(let (x y) p)\n(var (a (b _)) n)");
    AST("x = 1\nx += 2\nx >>>= 3\nx <<= 1\nx ^= 1", "(= x 1)\n(+= x 2)\n(>>>= x 3)\n(<<= x 1)\n(^= x 1)");
    AST("(a, b) = (b, a)", "(= (tuple a b) (tuple b a))");
    AST("a[f()].x -= 1", "(-= (. (index a (call f)) x) 1)");
    AST("if ok { a(); b() }", "(if ok (block (call a) (call b)))");
    AST("if a > 5 {\n  big()\n}\nelse {\n  small()\n}", "(if (> a 5) (block (call big)) (block (call small)))");
    AST("if a {\n} else if b {\n} else if c {\n} else {\n  d()\n}",
        "(if a (block) (if b (block) (if c (block) (block (call d)))))");
    AST("if x == (y) { }", "(if (== x y) (block))");
    AST("if f({\"a\": 1}) { }", "(if (call f (dict (\"a\" 1))) (block))");
    AST("while n > 0 {\n  n -= 1\n  if n == 1 { continue }\n  break\n}",
        "(while (> n 0) (block (-= n 1) (if (== n 1) (block (continue))) (break)))");
    AST("for i in 0..n + 1 { }", "(for i (range .. 0 (+ n 1)) (block))");
    AST("for i in a..=b { }", "(for i (range ..= a b) (block))");
    AST("for _ in 0..3 { }", "(for _ (range .. 0 3) (block))");
    AST("for (k, v) in ages { }", "(for (k v) ages (block))");
    AST("for x in items ?? [] { }", "(for x (?? items (array)) (block))");
    AST("for x in a.b(c) { }", "(for x (call (. a b) c) (block))");
    AST("return", "(return)");
    AST("func f() -> int {\n  return 1\n}", "(func f () -> int (block (return 1)))");
    AST("func f() {\n  yield\n  yield waitForSeconds(2.0)\n  let n = yield ask()\n  n = yield ask()\n  return yield ask()\n}",
        "(func f () (block (yield) (yield (call waitForSeconds 2.0)) (let n (yield (call ask))) (= n (yield (call ask))) (return (yield (call ask)))))");
    AST("start intro()", "(start (call intro))");
    AST("start self.open(1)", "(start (call (. self open) 1))");
    AST("{\n  a()\n}", "(block (call a))");
    AST("let total = price *\n    count", "(let total (* price count))");
    AST("let r = players\n  .filter((p: P) => p.alive)\n  .map((p: P) => p.name)",
        "(let r (call (. (call (. players filter) (lambda ((p P)) (. p alive))) map) (lambda ((p P)) (. p name))))");
    AST("print(a)\nprint(b)", "(call print a)\n(call print b)");
    AST("func outer() {\n  func inner(x: int) -> int { return x }\n  inner(1)\n}",
        "(func outer () (block (func inner ((x int)) -> int (block (return x))) (call inner 1)))");
}

static void test_functions(void) {
    AST("func damage(target: Entity, amount: float, crit: bool = false) -> float { }",
        "(func damage ((target Entity) (amount float) (crit bool = false)) -> float (block))");
    AST("func sum(...numbers: int) -> int { }", "(func sum ((...numbers int)) -> int (block))");
    AST("func first<T>(xs: Array<T>) -> Optional<T> { }", "(func first<T> ((xs Array<T>)) -> Optional<T> (block))");
    AST("func show<T, U>(x: T, y: U) -> string where T: Describable, U: ns::Named { }",
        "(func show<T, U> ((x T) (y U)) -> string (where T: Describable U: ns::Named) (block))");
    AST("func make() -> () -> int { }", "(func make () -> () -> int (block))");
    AST("func f(\n  a: int,\n  b: int,\n) { }", "(func f ((a int) (b int)) (block))");
}

static void test_when(void) {
    AST("when health {\n"
        "    0           => print(\"dead\")\n"
        "    1, 2, 3     => print(\"critical\")\n"
        "    4..25       => print(\"low\")\n"
        "    x if x > 100 => print(\"overheal\")\n"
        "    else        => print(\"ok\")\n"
        "}",
        "(when health (arm 0 => (call print \"dead\")) (arm 1 2 3 => (call print \"critical\")) "
        "(arm (range .. 4 25) => (call print \"low\")) (arm (if (bind x) (> x 100)) => (call print \"overheal\")) "
        "(arm else => (call print \"ok\")))");
    AST("let label = when dir {\n  is Direction.North => \"N\"\n  is Direction.South => \"S\"\n  else => \"side\"\n}",
        "(let label (when dir (arm (. Direction North) => \"N\") (arm (. Direction South) => \"S\") (arm else => \"side\")))");
    AST("when divide(10.0, 0.0) {\n  is Success(v) => print(v)\n  is Error(msg) => print(\"failed: \" .. msg)\n}",
        "(when (call divide 10.0 0.0) (arm (is Success v) => (call print v)) (arm (is Error msg) => (call print (.. \"failed: \" msg))))");
    AST("when r {\n  is Success => a()\n  is Error(_) => b()\n  is Success() => c()\n}",
        "(when r (arm (is Success) => (call a)) (arm (is Error _) => (call b)) (arm (is Success) => (call c)))");
    AST("when {\n  hp == 100 => print(\"full\")\n  hp <= 0 => print(\"dead\")\n  else => print(\"hurt\")\n}",
        "(when (arm (== hp 100) => (call print \"full\")) (arm (<= hp 0) => (call print \"dead\")) (arm else => (call print \"hurt\")))");
    AST("when a {\n  is Dog => a.bark()\n  is Cat if hungry => { feed(a) }\n  is ns::Rock => x = 1\n}",
        "(when a (arm (is Dog) => (call (. a bark))) (arm (if (is Cat) hungry) => (block (call feed a))) (arm (is ns::Rock) => (= x 1)))");
    AST("when x {\n  maxHealth => return\n  1..=5, 7 if y => break\n  \"a\" .. \"b\" => yield\n}",
        "(when x (arm maxHealth => (return)) (arm (range ..= 1 5) (if 7 y) => (break)) (arm (range .. \"a\" \"b\") => (yield)))");
    AST("let v = when { a => 1; else => 2 }", "(let v (when (arm a => 1) (arm else => 2)))");
    AST("return when a {\n  is Dog => a.bark()\n  else => \"${a.name} is quiet\"\n}",
        "(return (when a (arm (is Dog) => (call (. a bark))) (arm else => (interp (. a name) \" is quiet\"))))");
    AST("when x {\n  1 => when y {\n    2 => a()\n  }\n}",
        "(when x (arm 1 => (when y (arm 2 => (call a)))))");
    AST("f(when x { 1 => 2; else => 3 })", "(call f (when x (arm 1 => 2) (arm else => 3)))");
}

static void test_declarations(void) {
    AST("class Entity {\n"
        "    public name: string\n"
        "    public health: float = 100.0\n"
        "        set(value) { field = clamp(value, 0.0, maxHealth) }\n"
        "        get() { return field }\n"
        "    static count: int = 0\n"
        "    public func takeDamage(amount: float) { health -= amount }\n"
        "    private static func make() -> Entity { return Entity(name: \"x\") }\n"
        "}",
        "(class Entity (field public name string) (field public health float = 100.0 "
        "(get (block (return field))) (set value (block (= field (call clamp value 0.0 maxHealth))))) "
        "(field static count int = 0) (func public takeDamage ((amount float)) (block (-= health amount))) "
        "(func private static make () -> Entity (block (return (call Entity (name: \"x\"))))))");
    AST("class Player extends Entity with Damageable, Updatable {\n}",
        "(class Player (extends Entity) (with Damageable Updatable))");
    AST("class Box<T> where T: Describable { item: T }",
        "(class Box<T> (where T: Describable) (field item T))");
    AST("struct Vec2 {\n  public x: float = 0.0; public y: float = 0.0\n\n  public func length() -> float { return sqrt(x * x + y * y) }\n}",
        "(struct Vec2 (field public x float = 0.0) (field public y float = 0.0) "
        "(func public length () -> float (block (return (call sqrt (+ (* x x) (* y y)))))))");
    AST("struct S extends T with U { }", "(struct S (extends T) (with U))");
    AST("trait Damageable {\n  func takeDamage(amount: float)\n  func die() { print(\"destroyed\") }\n}",
        "(trait Damageable (func takeDamage ((amount float)) -) (func die () (block (call print \"destroyed\"))))");
    AST("enum Direction { North, South, East, West }", "(enum Direction (variants North South East West))");
    AST("enum Status {\n"
        "    Alive(100), Wounded(health: 50), Dead(0)\n"
        "\n"
        "    health: int\n"
        "    func isAlive() -> bool { return health > 0 }\n"
        "}",
        "(enum Status (variants (Alive 100) (Wounded (health: 50)) (Dead 0)) (field health int) "
        "(func isAlive () -> bool (block (return (> health 0)))))");
    AST("enum E {\n  A,\n  B,\n  x: int\n}", "(enum E (variants A B) (field x int))");
    AST("enum E {\n  A,\n  B,\n}", "(enum E (variants A B))");
    AST("import { Sword, createSword } from \"weapons/sword\"\nimport * as w from \"weapons/sword\"\nlet s = 1",
        "(import (Sword createSword) \"weapons/sword\")\n(import * w \"weapons/sword\")\n(let s 1)");
    AST("import {\n  a,\n  b,\n} from \"m\"", "(import (a b) \"m\")");
    AST("export class Sword { public damage: float = 15.0 }\nexport const MAX = 99.0\nexport func f() { }",
        "(export (class Sword (field public damage float = 15.0)))\n(export (const MAX 99.0))\n(export (func f () (block)))");
}

static void test_errors(void) {
    ERR("let ok = 1\nlet = 5\n", "2:5: expected identifier, found '='");
    /* recovery: one error per broken statement, the rest still parses */
    ERR_AST("let = 1\nlet y = )\nlet z = 3\nx +* 2\nfoo(1 2)\nlet w = 4\n",
            "1:5: expected identifier, found '='\n"
            "2:9: expected expression, found ')'\n"
            "4:4: expected expression, found '*'\n"
            "5:7: expected ',' or ')', found integer",
            "(let <error>)\n(let y null)\n(let z 3)\n(+ x null)\n(call foo 1)\n(let w 4)");
    ERR_AST("func f() {\n  let = 1\n  ok()\n  let x = (1 +\n 2\n  ok2()\n}\nafter()\n",
            "2:7: expected identifier, found '='\n6:3: expected ')', found identifier 'ok2'",
            "(func f () (block (let <error>) (call ok) (let x (+ 1 2))))\n(call after)");
    ERR("func f() {\n  let x = 1\n", "3:1: expected '}', found end of file [note: opening brace is at line 1]");
    ERR("class A {\n  func f() {\n    g(\n", "4:1: expected ',' or ')', found end of file [note: opening parenthesis is at line 3]");
    ERR("let x = 1 2\nlet y = 2", "1:11: expected end of line, found integer");
    ERR("x = y = 1", "1:7: expected end of line, found '='");
    ERR("let t = ()\n", "1:11: expected '=>' after '()', found end of line");
    ERR("let t = (a,)\n", "1:12: expected expression, found ')'");
    ERR("a + b = 3\n", "1:1: invalid assignment target");
    ERR("let big = 9223372036854775808\nlet ok = -9223372036854775808\n", "1:11: integer literal is too large");
    ERR("let a = -(9223372036854775808)\n", "1:11: integer literal is too large");
    ERR("let a = x ..= y\n", "1:11: a range can only appear in a for loop or a when arm");
    ERR("func f() {\n  let a = 1 + yield g()\n}", "2:15: 'yield' cannot be used inside an expression");
    ERR("func f() {\n    export let x = 1\n}", "2:5: 'export' is only allowed on top-level declarations");
    ERR("export print(1)\n", "1:8: expected declaration after 'export', found identifier 'print'");
    ERR("let early = 1\nimport { add } from \"m\"\n", "2:1: imports must come before other declarations");
    ERR("func f() {\n  class C { }\n}", "2:3: 'class' declarations are only allowed at the top level");
    ERR("let v = when x {\n  1 => { a }\n  else => 2\n}", "2:8: expected expression, found '{'");
    ERR("if x == {} {\n}\nok()", "1:9: expected expression, found '{'");
    ERR("}\nok()\n}", "1:1: expected statement, found '}'\n3:1: expected statement, found '}'");
    ERR("start f\n", "1:7: expected a call after 'start'");
    ERR("let d = {\n  \"a\": 1,\n  \"b\" 2,\n  \"c\": 3\n}\nok()", "3:7: expected ':', found integer");
    ERR("class A {\n  x int\n  y: int\n  func f( { }\n  z: int\n}",
        "2:5: expected ':', found identifier 'int'\n4:11: expected parameter name, found '{'");
    ERR("trait T {\n  x: int\n}", "2:3: expected 'func', found identifier 'x'");
    ERR("enum E { A B }", "1:12: expected ',' or end of line, found identifier 'B'");
    ERR("let (a) = b", "1:7: expected ',', found ')'");
    ERR("for i in 0..n {\n  x\n}\nfor in y { }\nok()", "4:5: expected identifier, found 'in'");
    ERR("if a { } else b", "1:15: expected '{', found identifier 'b'");
    ERR("import * from \"m\"", "1:10: expected 'as', found 'from'");
    ERR("let a: Array<int = 1", "1:18: expected ',' or '>', found '='");
    ERR("let x = a +\n", "2:1: expected expression, found end of file");
    /* an unclosed bracket at top level: the lexer makes no more NEWLINEs */
    ERR_AST("let y = [1, 2\nlet z = 3\nwhen v {\n  1 => a()\n}\nprint(\"x\"\nif c { d() }\nlet w = 4",
            "2:1: expected ',' or ']', found 'let'\n7:1: expected ',' or ')', found 'if'",
            "(let y (array 1 2))\n(let z 3)\n(when v (arm 1 => (call a)))\n(call print \"x\")\n(if c (block (call d)))\n(let w 4)");
    ERR("let b = a # 2\nok()", "1:11: unexpected character '#'");
    ERR("f(a: 1, b 2)", "1:11: expected ',' or ')', found integer");
    ERR("when x {\n  1 2 => a()\n  3 => b(\n}\nok()", "2:5: expected '=>', found integer\n4:1: expected expression, found '}'");
}

static char *repeat(const char *a, int n, const char *mid, const char *b) {
    size_t la = strlen(a), lm = strlen(mid), lb = strlen(b);
    char *s = malloc(la * n + lm + lb * n + 1), *q = s;
    for (int i = 0; i < n; i++) { memcpy(q, a, la); q += la; }
    memcpy(q, mid, lm); q += lm;
    for (int i = 0; i < n; i++) { memcpy(q, b, lb); q += lb; }
    *q = 0;
    return s;
}

static void nesting_case(int line, const char *pre, const char *a, int n, const char *mid, const char *b,
                         const char *post, bool ok) {
    char *core = repeat(a, n, mid, b);
    size_t len = strlen(pre) + strlen(core) + strlen(post) + 1;
    char *src = malloc(len);
    snprintf(src, len, "%s%s%s", pre, core, post);
    Parsed r;
    parse_src(&r, src);
    checks++;
    bool good = ok ? r.diags.n == 0
                   : (r.diags.n == 1 && strstr(r.errors, "expression nested too deeply") != NULL);
    /* the statement after the broken one still parses */
    good = good && strstr(r.dump, "(call after)") != NULL;
    if (!good) {
        failures++;
        fprintf(stderr, "test_parse.c:%d: FAIL nesting %d of '%s': %s\n", line, n, a, r.errors);
    }
    done(&r);
    free(core);
    free(src);
}
#define NEST(pre, a, n, mid, b, post, ok) nesting_case(__LINE__, pre, a, n, mid, b, post, ok)

static void test_nesting(void) {
    NEST("let x = ", "(", 256, "1", ")", "\nafter()\n", true);
    NEST("let x = ", "(", 257, "1", ")", "\nafter()\n", false);
    NEST("let x = ", "(", 300, "1", ")", "\nafter()\n", false);
    NEST("let x = ", "(", 100000, "1", ")", "\nafter()\n", false);
    NEST("let x = ", "[", 5000, "1", "]", "\nafter()\n", false);
    NEST("let x = ", "f(", 5000, "1", ")", "\nafter()\n", false);
    NEST("let x = ", "-", 5000, "1", "", "\nafter()\n", false);
    NEST("let x = ", "! ", 200, "true", "", "\nafter()\n", true);
    NEST("let x = ", "a ?? ", 5000, "1", "", "\nafter()\n", false);
    NEST("let x = ", "c ? 1 : ", 5000, "2", "", "\nafter()\n", false);
    NEST("let x = ", "{1: ", 5000, "1", "}", "\nafter()\n", false);
    NEST("let x = ", "\"${", 3000, "1", "}\"", "\nafter()\n", false);
    NEST("let x = ", "(a: int) => ", 5000, "1", "", "\nafter()\n", false);
    NEST("", "if x {\n", 5000, "", "}\n", "after()\n", false);
    NEST("", "when x { 1 => ", 5000, "a()", " }", "\nafter()\n", false);
    NEST("var a: ", "Array<", 5000, "int", ">", "\nafter()\n", false);
    NEST("var a: ", "(", 5000, "int", ")", "\nafter()\n", false);
    NEST("var a: ", "() -> ", 5000, "int", "", "\nafter()\n", false);
    NEST("let ", "(a, ", 5000, "b", ")", " = x\nafter()\n", false);
    NEST("let x = ", "a[", 5000, "1", "]", "\nafter()\n", false);
    /* chains nest in the tree too: each operator sinks what came before */
    NEST("let x = 1", " + 1", 256, "", "", "\nafter()\n", true);
    NEST("let x = 1", " + 1", 257, "", "", "\nafter()\n", false);
    NEST("let x = 1", " + 1", 100000, "", "", "\nafter()\n", false);
    NEST("let x = a", ".b", 100000, "", "", "\nafter()\n", false);
    NEST("let x = a", "!!", 100000, "", "", "\nafter()\n", false);
    NEST("let x = a", " as T", 100000, "", "", "\nafter()\n", false);
    NEST("let x = ", "(", 200, "1", " + 1 + 1)", "\nafter()\n", false);  /* groups sink as a whole */
    NEST("let x = ", "(", 100, "1", " + 1)", "\nafter()\n", true);
    NEST("", "if a {\n} else ", 200, "{\n}", "", "\nafter()\n", true);
    NEST("", "if a {\n} else ", 20000, "{\n}", "", "\nafter()\n", false);
}

static void test_spans(void) {
    Parsed r;
    parse_src(&r, "let x = a + b\nfunc go(n: int) { }\nwhen y {\n  else => z()\n}\n");
    CHECK(r.prog->n == 3, "3 items");
    Stmt *s = r.prog->items[0];
    CHECK(s->span.line == 1 && s->span.col == 1 && s->span.end_col == 14, "let span %u..%u", s->span.col, s->span.end_col);
    Expr *e = s->init;
    CHECK(e->span.col == 9 && e->span.end_col == 14, "binary span %u..%u", e->span.col, e->span.end_col);
    CHECK(e->op_span.col == 11 && e->op_span.end_col == 12, "op span");
    CHECK(e->rhs->span.col == 13, "rhs span");
    FuncDecl *fn = r.prog->items[1]->fn;
    CHECK(fn->name_span.line == 2 && fn->name_span.col == 6 && fn->name_span.end_col == 8, "func name span");
    CHECK(fn->params[0].span.col == 9, "param span");
    CHECK(fn->span.col == 1 && fn->span.end_col == 20, "func span %u", fn->span.end_col);
    Stmt *w = r.prog->items[2];
    CHECK(w->when->kw_span.line == 3 && w->when->kw_span.col == 1 && w->when->kw_span.end_col == 5, "when kw span");
    CHECK(w->span.line == 3 && w->span.end_line == 5 && w->span.end_col == 2, "when span");
    CHECK(w->when->arms[0].span.line == 4 && w->when->arms[0].span.col == 3, "arm span");
    done(&r);

    parse_src(&r, "let a = (x + y) * z.w\nlet b: Array<Array<int>>= c\n");
    e = r.prog->items[0]->init;
    CHECK(e->span.col == 9 && e->span.end_col == 22, "paren binary span %u..%u", e->span.col, e->span.end_col);
    CHECK(e->rhs->op_span.col == 21, "member name span");
    Stmt *b = r.prog->items[1];
    CHECK(b->vtype->span.col == 8 && b->vtype->span.end_col == 25, "type span %u..%u", b->vtype->span.col, b->vtype->span.end_col);
    CHECK(b->vtype->args[0]->span.col == 14 && b->vtype->args[0]->span.end_col == 24, "inner type span %u..%u",
          b->vtype->args[0]->span.col, b->vtype->args[0]->span.end_col);
    done(&r);
}

static void test_type_string(void) {
    const char *cases[][2] = {
        {"Array<Dictionary<string, int>>", "Array<Dictionary<string, int>>"},
        {"(int, float) -> Optional<string>", "(int, float) -> Optional<string>"},
        {"void", "void"},
        {"Result<void>", "Result<void>"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Arena a;
        Diags d;
        arena_init(&a, vm);
        diags_init(&d, &a);
        Source src = { "<type>", cases[i][0], strlen(cases[i][0]) };
        size_t n;
        Token *toks = lex_source(&a, &d, &src, &n);
        TypeExpr *t = parse_type_string(&a, &d, &src, toks, n);
        Buf b;
        buf_init(&b, vm);
        ast_dump_type(t, &b);
        buf_putc(&b, 0);
        CHECK(t && d.n == 0 && strcmp(b.data, cases[i][1]) == 0, "type string '%s' -> '%s'", cases[i][0], b.data);
        buf_free(&b);
        diags_free(&d, vm);
        arena_free(&a);
    }
    const char *bad[] = { "Array<int", "int int", "(int,)", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        Arena a;
        Diags d;
        arena_init(&a, vm);
        diags_init(&d, &a);
        Source src = { "<type>", bad[i], strlen(bad[i]) };
        size_t n;
        Token *toks = lex_source(&a, &d, &src, &n);
        TypeExpr *t = parse_type_string(&a, &d, &src, toks, n);
        CHECK(t == NULL && d.n > 0 && d.syntax_error, "bad type string '%s' rejected", bad[i]);
        diags_free(&d, vm);
        arena_free(&a);
    }
}

/* CPU time of parse_program alone (the lexer is not under test here). */
static double parse_time(const char *pre, const char *unit, const char *post, int n, size_t *ndiags) {
    char *body = repeat(unit, n, "", "");
    size_t len = strlen(pre) + strlen(body) + strlen(post) + 1;
    char *code = malloc(len);
    snprintf(code, len, "%s%s%s", pre, body, post);
    Arena arena;
    Diags diags;
    arena_init(&arena, vm);
    diags_init(&diags, &arena);
    Source src = { "perf.writ", code, strlen(code) };
    size_t ntoks;
    Token *toks = lex_source(&arena, &diags, &src, &ntoks);
    clock_t t0 = clock();
    parse_program(&arena, &diags, &src, toks, ntoks);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    *ndiags = diags.n;
    diags_free(&diags, vm);
    arena_free(&arena);
    free(body);
    free(code);
    return secs;
}

/* Pathological inputs for the generic-call lookahead and for recovery parse
 * without crashing and report exactly one error per broken line.  (Their
 * speed is measured by bench/compile_speed.sh, never asserted here: timing
 * assertions fail on a loaded machine.) */
static void test_pathological(void) {
    struct { const char *pre, *unit, *post; int n; } cases[] = {
        {"", "let x = a < b < b < b < b < b < b < b < b < b < b < b < b < b < b < b < b < b < b\n", "", 4000},
        {"", "f(a < b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w < x)\n", "", 4000},
        {"let x = f(a", " < b, c", ")\n", 20000},   /* every '<' looks ahead */
        {"", "let x = a < b > c\n", "", 20000},
        {"let x = [", "1, ", "]\n", 60000},
        {"", "let = 1\n", "", 20000},                  /* one error per line, all reported */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t d;
        parse_time(cases[i].pre, cases[i].unit, cases[i].post, cases[i].n, &d);
        if (i == 5) CHECK(d == (size_t)cases[i].n, "one error per broken line: %zu", d);
    }
}

int main(void) {
    vm = calloc(1, sizeof(VM));
    vm->alloc = test_alloc;
    test_precedence();
    test_postfix();
    test_generics();
    test_types();
    test_collections();
    test_lambdas();
    test_statements();
    test_functions();
    test_when();
    test_declarations();
    test_errors();
    test_nesting();
    test_spans();
    test_type_string();
    test_pathological();
    arena_cache_free(vm);
    CHECK(vm->bytes == 0, "all memory freed (%zu bytes left)", vm->bytes);
    printf("test_parse: %d checks, %d failures\n", checks, failures);
    mem_free_all(vm);               /* the VM's table of live blocks (mem.c) */
    free(vm);
    return failures ? 1 : 0;
}
