/* opcodes.h — the instruction set, defined once.  Each consumer defines
 * OP(name, format, extra, meaning) and includes WRIT_OPCODES.
 *
 * Encoding: 32-bit words, opcode in the low byte, then A, B, C bytes; or A
 * and a 16-bit Bx (unsigned) / sBx (signed, biased by 32767).  `extra` is
 * the number of following words (J = one signed 32-bit jump offset,
 * relative to the word after the instruction's last word; N = variable, see
 * meaning).  Register kinds are fixed per function: *_REF ops touch counted
 * references (retain on copy, release on overwrite); plain ops never do. */
#ifndef WRIT_OPCODES_H
#define WRIT_OPCODES_H

#define WRIT_OPCODES(OP) \
    OP(NOP,        ABC, 0, "nothing") \
    OP(MOVE,       ABC, 0, "R[A] = R[B] (scalar)") \
    OP(MOVE_REF,   ABC, 0, "R[A] = R[B], retain new, release old") \
    OP(MOVE_OWN,   ABC, 0, "R[A] = R[B], R[B] = null (ownership moves), release old") \
    OP(CLEAR,      ABC, 0, "release R[A]; R[A] = null") \
    OP(LOADI,      AsBx, 0, "R[A] = sBx (int)") \
    OP(LOADK,      ABx, 0, "R[A] = K[Bx] (scalar constant)") \
    OP(LOADSTR,    ABx, 0, "R[A] = K[Bx] (string constant, retained)") \
    OP(LOADNULL,   ABC, 0, "release R[A]; R[A] = null reference") \
    /* int arithmetic (wrapping, done unsigned) */ \
    OP(ADD_INT,    ABC, 0, "R[A] = R[B] + R[C]") \
    OP(SUB_INT,    ABC, 0, "R[A] = R[B] - R[C]") \
    OP(MUL_INT,    ABC, 0, "R[A] = R[B] * R[C]") \
    OP(DIV_INT,    ABC, 0, "R[A] = R[B] / R[C] (error on 0; INT_MIN/-1 = INT_MIN)") \
    OP(MOD_INT,    ABC, 0, "R[A] = R[B] % R[C] (error on 0; x % -1 = 0)") \
    OP(ADDI_INT,   ABC, 0, "R[A] = R[B] + (int8)C") \
    OP(NEG_INT,    ABC, 0, "R[A] = -R[B]") \
    OP(BAND,       ABC, 0, "R[A] = R[B] & R[C]") \
    OP(BOR,        ABC, 0, "R[A] = R[B] | R[C]") \
    OP(BXOR,       ABC, 0, "R[A] = R[B] ^ R[C]") \
    OP(SHL,        ABC, 0, "R[A] = R[B] << R[C] (count 0..63)") \
    OP(SHR,        ABC, 0, "R[A] = R[B] >> R[C] arithmetic") \
    OP(USHR,       ABC, 0, "R[A] = R[B] >>> R[C] logical") \
    OP(BNOT,       ABC, 0, "R[A] = ~R[B]") \
    /* float arithmetic */ \
    OP(ADD_FLOAT,  ABC, 0, "R[A] = R[B] + R[C]") \
    OP(SUB_FLOAT,  ABC, 0, "R[A] = R[B] - R[C]") \
    OP(MUL_FLOAT,  ABC, 0, "R[A] = R[B] * R[C]") \
    OP(DIV_FLOAT,  ABC, 0, "R[A] = R[B] / R[C]") \
    OP(MOD_FLOAT,  ABC, 0, "R[A] = fmod(R[B], R[C])") \
    OP(NEG_FLOAT,  ABC, 0, "R[A] = -R[B]") \
    OP(I2F,        ABC, 0, "R[A] = (float)R[B]") \
    OP(MATHF,      ABC, 0, "R[A] = f(R[B]) for the float math function numbered C (see MATHF_NAMES)") \
    OP(F2I,        ABC, 0, "R[A] = (int)R[B], error on nan/inf/out of range") \
    /* comparisons producing bool */ \
    OP(EQ_INT,     ABC, 0, "R[A] = R[B] == R[C]") \
    OP(NE_INT,     ABC, 0, "R[A] = R[B] != R[C]") \
    OP(LT_INT,     ABC, 0, "R[A] = R[B] < R[C]") \
    OP(LE_INT,     ABC, 0, "R[A] = R[B] <= R[C]") \
    OP(EQ_FLOAT,   ABC, 0, "R[A] = R[B] == R[C]") \
    OP(NE_FLOAT,   ABC, 0, "R[A] = R[B] != R[C]") \
    OP(LT_FLOAT,   ABC, 0, "R[A] = R[B] < R[C]") \
    OP(LE_FLOAT,   ABC, 0, "R[A] = R[B] <= R[C]") \
    OP(EQ_STR,     ABC, 0, "R[A] = str R[B] == R[C]") \
    OP(LT_STR,     ABC, 0, "R[A] = str R[B] < R[C] (bytes)") \
    OP(LE_STR,     ABC, 0, "R[A] = str R[B] <= R[C]") \
    OP(EQ_DEEP,    ABC, 1, "R[A] = R[B] == R[C] by type T[next]") \
    OP(EQ_REF,     ABC, 0, "R[A] = R[B] is R[C] (identity)") \
    OP(NOT,        ABC, 0, "R[A] = !R[B]") \
    /* jumps */ \
    OP(JMP,        ABC, 1, "pc += J") \
    OP(LOOP,       ABC, 1, "pc += J (backward edge: counts for the instruction limit)") \
    OP(JT,         ABC, 1, "if R[A] pc += J") \
    OP(JF,         ABC, 1, "if !R[A] pc += J") \
    OP(JLT_INT,    ABC, 1, "if R[A] < R[B] pc += J") \
    OP(JGE_INT,    ABC, 1, "if R[A] >= R[B] pc += J") \
    OP(JNULL,      ABC, 1, "if R[A] is a null reference pc += J") \
    OP(JNOTNULL,   ABC, 1, "if R[A] is not a null reference pc += J") \
    OP(FORLOOP,    ABC, 1, "R[A] += 1; if R[A] < R[B] pc += J (backward)") \
    /* strings and display */ \
    OP(CONCAT,     ABC, 0, "R[A] = R[B] + R[C] (strings; A == B appends in place when unshared)") \
    OP(GAPPEND,    ABx, 0, "G[Bx] = G[Bx] + R[A] (string global +=, in place when unshared)") \
    OP(CONCATN,    ABC, 0, "R[A] = R[B] + ... + R[B+C-1] (strings)") \
    OP(TOSTR,      ABC, 1, "R[A] = display(R[B]) of type T[next]") \
    OP(PRINT,      ABC, 1, "print display(R[A]) of type T[next]") \
    OP(TYPEOF,     ABC, 1, "R[A] = typeof(R[B]) of static type T[next]") \
    OP(ASSERT,     ABC, 0, "if !R[A] error 'assertion failed[: R[B]]' (B=255: no message)") \
    /* Optional */ \
    OP(BOXINT,     ABC, 0, "R[A] = IntBox(R[B])") \
    OP(UNBOXINT,   ABC, 0, "R[A] = R[B]->v (R[B] non-null IntBox)") \
    OP(ISNULL,     ABC, 1, "R[A] = R[B] is null, layout by Optional type T[next]") \
    OP(UNWRAP,     ABC, 1, "error \"'!!' on a null T\" if R[A] is null (type T[next])") \
    OP(LOADNULLV,  ABC, 1, "R[A] = null of Optional type T[next] (scalar layouts)") \
    /* globals */ \
    OP(GETG,       ABx, 0, "R[A] = G[Bx] (checks initialised)") \
    OP(GETG_REF,   ABx, 0, "R[A] = G[Bx], retained (checks initialised)") \
    OP(SETG,       ABx, 0, "G[Bx] = R[A]") \
    OP(SETG_REF,   ABx, 0, "G[Bx] = R[A], retain new, release old") \
    /* closures and cells */ \
    OP(CLOSURE,    ABx, 1, "R[A] = closure of P[Bx]; next word: capture list index") \
    OP(SELFCLOS,   ABC, 0, "R[A] = the running closure (retained)") \
    OP(GETCAP,     ABC, 0, "R[A] = cap[B] (scalar)") \
    OP(GETCAP_REF, ABC, 0, "R[A] = cap[B], retained") \
    OP(NEWCELL,    ABC, 0, "R[A] = new cell (B: holds a reference), value R[C] (retained if ref)") \
    OP(GETCELL,    ABC, 0, "R[A] = cell R[B] value (scalar)") \
    OP(GETCELL_REF,ABC, 0, "R[A] = cell R[B] value, retained") \
    OP(SETCELL,    ABC, 0, "cell R[A] value = R[B] (scalar)") \
    OP(SETCELL_REF,ABC, 0, "cell R[A] value = R[B], retain new, release old") \
    /* calls: arg registers follow packed 4 per word */ \
    OP(CALL,       ABC, 2, "R[A] = P[next](B args...) direct call; C: 1 if the result is a reference") \
    OP(CALLV,      ABC, 1, "R[A] = closure R[next & 0xff](B args...)") \
    OP(CALLN,      ABC, 1, "R[A] = native N[next](B args...); C: 0 scalar result, 1 reference, 2 void") \
    OP(RET,        ABC, 0, "return R[A]") \
    OP(RET0,       ABC, 0, "return (void)") \
    /* arrays */ \
    OP(NEWARR,     ABx, 0, "R[A] = new empty array of type T[Bx]") \
    OP(APUSH,      ABC, 0, "push R[B] onto array R[A] (retains if ref)") \
    OP(ASPREAD,    ABC, 0, "append every element of R[B] to array R[A]") \
    OP(AGET,       ABC, 0, "R[A] = R[B][R[C]] (scalar; bounds checked)") \
    OP(AGET_REF,   ABC, 0, "R[A] = R[B][R[C]] retained") \
    OP(ASET,       ABC, 0, "R[A][R[B]] = R[C] (bounds checked; retain/release by elem kind)") \
    OP(ALEN,       ABC, 0, "R[A] = len(R[B]) (array)") \
    OP(ACOPY,      ABC, 0, "overwrite the elements of array R[A] with those of R[B] (merge sort passes)") \
    /* dictionaries */ \
    OP(NEWDICT,    ABx, 0, "R[A] = new empty dictionary of type T[Bx]") \
    OP(DSET,       ABC, 0, "R[A][R[B]] = R[C] (retains)") \
    OP(DGET,       ABC, 0, "R[A] = R[B][R[C]] (error if missing; retained if ref)") \
    OP(DSPREAD,    ABC, 0, "copy entries of R[B] into R[A]") \
    OP(DGETOR,     ABC, 1, "if key R[C] is in R[B]: R[A] = value (retained if ref) else pc += J  (d.get(k) ?? x without boxing)") \
    OP(DITER,      ABC, 2, "dict R[A], pos R[B], version R[C]; next word: key reg | value reg << 8 | flags << 16 (1: key, 2: value); then J: done -> pc += J") \
    OP(DVERSION,   ABC, 0, "R[A] = version of dict R[B]") \
    /* tuples */ \
    OP(NEWTUPLE,   ABx, 0, "R[A] = new tuple of type T[Bx] (slots zero)") \
    OP(TSET,       ABC, 0, "R[A].v[B] = R[C] (retains by element kind; fresh tuple)") \
    OP(TGET,       ABC, 0, "R[A] = R[B].v[C] (scalar)") \
    OP(TGET_REF,   ABC, 0, "R[A] = R[B].v[C] retained") \
    OP(TUNIQUE,    ABC, 0, "make tuple R[A] uniquely owned (copy if shared) before TSET") \
    /* structs and classes */ \
    OP(NEWOBJ,     ABx, 0, "R[A] = new instance of type T[Bx] (fields zero)") \
    OP(GETF,       ABC, 0, "R[A] = R[B].f[C] (scalar field)") \
    OP(GETF_REF,   ABC, 0, "R[A] = R[B].f[C], retained") \
    OP(SETF,       ABC, 0, "R[A].f[B] = R[C] (retain/release by the field's kind)") \
    OP(SUNIQUE,    ABC, 0, "struct R[A]: copy it first if shared (value semantics)") \
    OP(BINDM,      ABC, 1, "R[A] = method bound to R[B]: C=1 next is class T[w & 0xffff], vtable slot w >> 16; C=2 trait (as CALLT); C=0 next is P[next]") \
    OP(CALLT,      ABC, 2, "R[A] = trait method (next: trait T[w & 0xffff], slot w >> 16) of the receiver (first arg)") \
    OP(CALLM,      ABC, 2, "R[A] = virtual method (next: declaring class T[w & 0xffff], vtable slot w >> 16) of the receiver (first arg); B args, C result kind") \
    OP(ISTYPE,     ABC, 1, "R[A] = R[B] is an instance of class/trait T[next] (null: false)") \
    OP(CASTTYPE,   ABC, 1, "error 'cannot cast X to T' unless R[A] is an instance of T[next]") \
    OP(TOANY,      ABC, 1, "R[A] = R[B] of static type T[next] boxed as any") \
    OP(ANYCAST,    ABC, 1, "R[A] = the any R[B] as T[next], else error 'cannot cast X to T'") \
    OP(ANYIS,      ABC, 1, "R[A] = the any R[B] is a T[next]") \
    OP(LOADTYPE,   ABx, 0, "R[A] = the type T[Bx] (a generic native's type argument)") \
    OP(ENUMF,      ABC, 1, "R[A] = field (next >> 16) of enum T[next & 0xffff] for variant R[B]") \
    OP(ENUMVALS,   ABx, 0, "R[A] = Array of every variant of enum T[Bx]") \
    OP(ENUMORD,    ABC, 1, "R[A] = ordinal of variant R[B] of enum T[next] (its value unless a hot reload reordered)") \
    /* Weak<T>, Result<T> */ \
    OP(WEAKNEW,    ABC, 0, "R[A] = Weak(R[B])") \
    OP(WEAKGET,    ABC, 0, "R[A] = the object of Weak R[B], or null (retained)") \
    OP(RESOK,      ABC, 1, "R[A] = Success(R[B]) of Result type T[next] (B = 255: no value)") \
    OP(RESERR,     ABC, 1, "R[A] = Error(R[B]) of Result type T[next]") \
    OP(RESISOK,    ABC, 0, "R[A] = Result R[B] is a Success") \
    OP(RESVAL,     ABC, 0, "R[A] = payload of Success R[B] (C: 1 retained reference)") \
    OP(RESMSG,     ABC, 0, "R[A] = message of Error R[B] (retained)") \
    /* loops and HOF helpers */ \
    OP(HALT,       ABC, 0, "end of top-level code") \
    OP(ERROR_STR,  ABC, 0, "runtime error with message string R[A]") \
    OP(CALLH,      ABC, 1, "R[A] = host function N[next](B args...); C as CALLN") \
    OP(HGET,       ABC, 0, "R[A] = host field C of host object R[B] (scalar)") \
    OP(HGET_REF,   ABC, 0, "R[A] = host field C of host object R[B] (reference, owned)") \
    OP(HSET,       ABC, 0, "host field B of host object R[A] = R[C]") \
    OP(BGET,       ABx, 0, "R[A] = host bound variable Bx (scalar)") \
    OP(BGET_REF,   ABx, 0, "R[A] = host bound variable Bx (struct of floats, a new instance)") \
    OP(BSET,       ABx, 0, "host bound variable Bx = R[A]") \
    OP(FORWARD,    ABx, 0, "hot reload: this call continues in protos[Bx] (same parameters)") \
    OP(FWDFAIL,    ABx, 0, "hot reload: runtime error with the message K[Bx] (function removed or changed)") \
    OP(GETF_OLD,   ABC, 0, "GETF in code older than a hot reload that changed the layout: field found by name") \
    OP(GETF_REF_OLD, ABC, 0, "GETF_REF, likewise") \
    OP(SETF_OLD,   ABC, 0, "SETF, likewise") \
    OP(NEWOBJ_OLD, ABx, 0, "NEWOBJ, likewise: fields the old code does not know get their defaults") \
    /* coroutines */ \
    OP(START,      ABC, 0, "the next call instruction starts a task (owner R[A], 255: none) instead of calling") \
    OP(YIELD,      ABC, 0, "suspend the running task until the wait R[A] (255: the next tick) is over")

/* Unary float math functions compiled to MATHF (index = C operand). */
#define MATHF_NAMES { "sqrt", "floor", "ceil", "trunc", "round", "abs", "sin", "cos", "tan", "exp", "log", NULL }

typedef enum OpCode {
#define OP(name, fmt, extra, meaning) OP_##name,
    WRIT_OPCODES(OP)
#undef OP
    OP__COUNT
} OpCode;

#define INS_OP(i)  ((i) & 0xff)
#define INS_A(i)   (((i) >> 8) & 0xff)
#define INS_B(i)   (((i) >> 16) & 0xff)
#define INS_C(i)   (((i) >> 24) & 0xff)
#define INS_Bx(i)  ((i) >> 16)
#define INS_sBx(i) ((int32_t)((i) >> 16) - 32767)
#define MK_ABC(op, a, b, c) ((uint32_t)(op) | ((uint32_t)(a) << 8) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 24))
#define MK_ABx(op, a, bx) ((uint32_t)(op) | ((uint32_t)(a) << 8) | ((uint32_t)(bx) << 16))
#define MK_AsBx(op, a, sbx) MK_ABx(op, a, (uint32_t)((sbx) + 32767))

#endif
