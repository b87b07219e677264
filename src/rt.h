/* rt.h — runtime services shared by the VM and the library: strings,
 * arrays, dictionaries, tuples, display forms, equality, number formatting
 * and the native-function interface.
 *
 * Ownership: a function that returns an object returns it owned (rc counts
 * the caller's reference).  Value arguments are borrowed unless a comment
 * says "takes".  Element kinds come from the container's Type (elem->is_ref).
 * A failing operation calls rt_error(vm, ...) and returns false / NULL. */
#ifndef WRIT_RT_H
#define WRIT_RT_H

#include "common.h"
#include "object.h"
#include "mem.h"

/* Records a runtime error message on the VM (the VM adds the trace). */
void rt_error(VM *vm, const char *fmt, ...) WRIT_PRINTF(2, 3);

/* ---- strings (str.c) ---- */
Str *str_new(VM *vm, const char *s, size_t n);   /* s is valid UTF-8 */
Str *str_alloc(VM *vm, size_t nbytes);            /* data to be filled, then str_finish */
void str_finish(Str *s);                          /* computes cplen and ascii */
static inline Str *str_cstr(VM *vm, const char *s) { return str_new(vm, s, strlen(s)); }
uint32_t str_hash(Str *s);
bool utf8_valid(const char *s, size_t n);         /* well-formed UTF-8 (no surrogates, no overlongs) */
bool str_eq(const Str *a, const Str *b);
int str_cmp(const Str *a, const Str *b);          /* bytewise, <0 / 0 / >0 */
Str *str_concat(VM *vm, Str *a, Str *b);
/* Appends b to a in place when a is uniquely owned (rc == 1, a != b), growing
 * geometrically so that `s += x` in a loop is linear; otherwise concatenates.
 * Takes a's reference, returns an owned string. */
Str *str_append(VM *vm, Str *a, Str *b);
size_t str_block_size(const Str *s);   /* bytes of s's allocation */
Str *str_concat_n(VM *vm, Str **parts, size_t n);
/* code point index -> byte offset (index may equal cplen) */
size_t str_byte_offset(const Str *s, int64_t cp_index);

/* ---- arrays (arr.c) ---- */
Arr *arr_new(VM *vm, Type *array_type, int64_t cap);
void arr_push(VM *vm, Arr *a, Value v);           /* takes v */
void arr_reserve(VM *vm, Arr *a, int64_t cap);

/* ---- dictionaries (dict.c) ---- */
Dict *dict_new(VM *vm, Type *dict_type);
bool dict_get(VM *vm, Dict *d, Value key, Value *out);       /* borrowed out; false if absent */
void dict_set(VM *vm, Dict *d, Value key, Value val);        /* takes key and val */
bool dict_remove(VM *vm, Dict *d, Value key, Value *out);    /* out owned; false if absent */
void dict_clear(VM *vm, Dict *d);

/* ---- tuples (object.c) ---- */
Tuple *tuple_new(VM *vm, Type *tuple_type);       /* slots zeroed; caller fills (owned) */

/* ---- instances (object.c) ---- */
Instance *instance_new(VM *vm, Type *t);          /* fields zeroed (null references) */
Instance *instance_copy(VM *vm, Instance *o);     /* shallow: reference fields retained */

WeakRef *weak_of(VM *vm, Instance *o);           /* the object's weak record (owned +1) */
ResultObj *result_new(VM *vm, Type *t, Str *err, Value payload);   /* takes err and payload */

/* ---- boxes (object.c) ---- */
IntBox *intbox_new(VM *vm, int64_t v);
Cell *cell_new(VM *vm, bool holds_ref);

/* ---- Optional<T> slots (object.c; layout in types.h); inner = T ---- */
bool opt_is_null(Type *inner, Value v);
Value opt_payload(Type *inner, Value v);          /* the T inside (borrowed); not null */
Value opt_none(Type *inner);
Value opt_some(VM *vm, Type *inner, Value v);     /* v borrowed; result owned (retained / boxed) */

/* ---- hooks implemented by the VM (chunk/proto owner) ---- */
struct Proto;
bool proto_cap_is_ref(struct Proto *p, uint32_t i);   /* capture i holds a reference */
void proto_count_closure(struct Proto *p, int delta);  /* its load's live closures (retire.c) */
const char *proto_display_name(struct Proto *p);      /* "f", "Type.m"; NULL for a lambda */

/* ---- display, equality (display.c) ---- */
/* Appends the display form (language.md §22).  quoted: inside a container
 * (strings quoted and escaped). */
void display_value(VM *vm, Buf *out, Type *t, Value v, bool quoted);
Str *display_to_str(VM *vm, Type *t, Value v);
/* Shortest round-trip float text per §22; buf >= 32 bytes; returns length. */
int fmt_float(char *buf, double d);
bool val_equal(VM *vm, Type *t, Value a, Value b);
/* typeof(): the spelling of a value's dynamic type. */
const char *val_typeof(VM *vm, Type *t, Value v);
/* Locale-free, correctly rounded (ties to even) decimal text -> double.
 * Accepts exactly [+-]?(digits[.digits?] | .digits)([eE][+-]?digits)? over
 * all n bytes (no whitespace); out of range gives ±inf or ±0.  False if
 * malformed. */
bool parse_float_text(const char *s, size_t n, double *out);

/* ---- natives ---- */
/* A library function: args borrowed (args[0] is the receiver for methods);
 * *ret owned.  Returns false after rt_error. */
typedef bool (*NativeFn)(VM *vm, Value *args, Value *ret);

typedef struct LibFn {
    const char *name;
    /* Writ signature: "(index: int) -> string"; may use T (element), K, V
     * (dictionary), U (a method's own type parameter).  Defaults are
     * constant literals: "(width: int, fill: string = \" \") -> string". */
    const char *sig;
    NativeFn fn;       /* NULL: the compiler expands it (callback-taking methods);
                        * host_marker: a host function (host.c, OP_CALLH) */
} LibFn;
bool host_marker(VM *vm, Value *args, Value *ret);

typedef struct LibConst {
    const char *name;
    const char *type;  /* "float" / "int" */
    Value value;
} LibConst;

/* ---- values of static type `any` (object.c) ---- */
/* Boxes v (borrowed; static type t) as an `any` value (owned).  An `any`
 * value passes through unchanged (retained). */
AnyBox *any_box(VM *vm, Type *t, Value v);
/* Can the boxed value be used as a `t` (the `as` / `is` rule)?  On success
 * *out is the value as a `t`, owned.  int is accepted for float. */
bool any_unbox(VM *vm, AnyBox *b, Type *t, Value *out);
/* `x is t` on an any value: like any_unbox without numeric conversion. */
bool any_is(VM *vm, AnyBox *b, Type *t);

/* ---- native reference types ----
 * A reference type whose objects are implemented in C (library types such as
 * Json and Regex; host types later).  Objects start with NativeObj; the
 * payload that follows belongs to the type's functions.  The checker declares
 * each as a type name; methods are LibFns receiving the object in args[0]. */
typedef struct NativeType {
    const char *name;                 /* "Regex" */
    const LibFn *ctor;                /* "Regex(pattern: string)": sig without return; NULL: no constructor */
    const LibFn *methods;             /* NULL-name terminated */
    void (*free)(VM *vm, NativeObj *o);               /* releases the payload and frees o */
    void (*display)(VM *vm, Buf *out, NativeObj *o);   /* NULL: "<Name>" */
} NativeType;


/* Generic natives: a signature starting with "<T>" ("<T>(text: string) ->
 * Result<T>") takes a type argument, written or inferred from the expected
 * type; the compiler passes the Type* of T as one extra trailing argument
 * (args[nparams].p).  The module's type_arg_ok hook validates T. */

/* Calls a compiled function from a native (nested VM entry).  args are the
 * callee's parameters (borrowed); *result owned when the callee returns a
 * reference.  false after a runtime error (message recorded). */
struct Proto;
bool rt_call(VM *vm, struct Proto *p, Value *args, uint32_t nargs, Value *result);

extern const LibFn lib_string_methods[];   /* receiver: string; NULL-name terminated */
extern const LibFn lib_array_methods[];    /* receiver: Array<T> */
extern const LibFn lib_dict_methods[];     /* receiver: Dictionary<K, V> */
extern const LibFn lib_functions[];        /* math, interpolation, ... (int/float overloads share a name) */

extern const LibConst lib_constants[];

/* ---- library modules (stdlib.md §0; lib/modules.c) ----
 * Modules are enabled per VM; a disabled module's names are not declared.
 * Each module lists its natives (global functions) and, optionally, a
 * prelude: library code written in Writ, compiled as a hidden module
 * "<library:NAME>" whose exports join the library scope.  A prelude is
 * compiled into a VM the first time a load mentions one of its exported
 * names (an identifier scan of the load's sources), after the preludes it
 * needs (`deps`).  `internal` natives are declared only inside the module's
 * own prelude (helpers scripts cannot see).  `displays` give library types a
 * display form of their own. */
typedef void (*LibDisplayFn)(VM *vm, Buf *out, Type *t, Value v);
typedef struct LibDisplay {
    const char *type;          /* a struct or class of the prelude */
    LibDisplayFn fn;
} LibDisplay;

typedef struct LibModule {
    const char *name;          /* "math", "coroutine", "time", "time.clock", "geometry", ... */
    const LibFn *fns;          /* NULL-name terminated, or NULL */
    bool embedded_default;     /* on in an embedding VM unless the host changes it */
    const struct NativeType *const *types;   /* its native reference types (NULL terminated), or NULL */
    /* For generic natives of this module: NULL if T is acceptable, else a
     * diagnostic format with one %s for T ("fromJson cannot decode into %s"). */
    const char *(*type_arg_ok)(const LibFn *f, Type *t);
    const char *prelude;       /* Writ source, or NULL */
    const char *const *exports;   /* the prelude's exported names, NULL-terminated */
    const char *const *triggers;  /* other names whose mention also needs the prelude, or NULL */
    const char *const *deps;      /* modules whose preludes this prelude uses, NULL-terminated */
    const LibFn *internal;     /* natives visible only inside the prelude */
    const LibDisplay *displays;   /* NULL-type terminated, or NULL */
    const char *part;          /* a part of a module split into several preludes, or NULL */
} LibModule;
extern const LibModule lib_modules[];      /* NULL-name terminated */
extern const uint32_t lib_nmodules;
#define LIB_PRELUDE_PREFIX "<library:"
/* The module whose prelude is the file named `name` ("<library:geometry>"), or NULL. */
const LibModule *lib_module_of_prelude(const char *name);
void lib_prelude_name(const LibModule *m, char *buf, size_t size);
void lib_random_init(VM *vm);    /* seeds the VM's generator from the clock */
void lib_noise_free(VM *vm);     /* the noise module's state */
bool lib_fail(VM *vm, Value *args, Value *ret);   /* internal native fail(message: string) */

#endif
