/* token.h — every token kind, defined once (X-macro) with its spelling as
 * used in diagnostics ("expected A, found B"). */
#ifndef WRIT_TOKEN_H
#define WRIT_TOKEN_H

#include "common.h"

#define WRIT_TOKENS(T) \
    T(EOF, "end of file") T(NEWLINE, "end of line") T(ERROR, "invalid token") \
    T(IDENT, "identifier") T(INT, "integer") T(FLOAT, "float") \
    /* string pieces: a plain string is STRING; an interpolated one is \
     * STR_BEGIN (first text) { tokens of ${expr} or IDENT } STR_MID (text) ... STR_END (last text) */ \
    T(STRING, "string") T(STR_BEGIN, "string") T(STR_MID, "string") T(STR_END, "string") \
    T(LPAREN, "'('") T(RPAREN, "')'") T(LBRACKET, "'['") T(RBRACKET, "']'") \
    T(LBRACE, "'{'") T(RBRACE, "'}'") T(COMMA, "','") T(SEMI, "';'") T(COLON, "':'") \
    T(COLONCOLON, "'::'") T(DOT, "'.'") T(QDOT, "'?.'") T(QUESTION, "'?'") \
    T(QQ, "'?\?'") T(DOTDOT, "'..'") T(DOTDOTEQ, "'..='") T(ELLIPSIS, "'...'") \
    T(FATARROW, "'=>'") T(ARROW, "'->'") \
    T(PLUS, "'+'") T(MINUS, "'-'") T(STAR, "'*'") T(SLASH, "'/'") T(PERCENT, "'%'") \
    T(ASSIGN, "'='") T(PLUSEQ, "'+='") T(MINUSEQ, "'-='") T(STAREQ, "'*='") \
    T(SLASHEQ, "'/='") T(PERCENTEQ, "'%='") \
    T(EQ, "'=='") T(NE, "'!='") T(LT, "'<'") T(LE, "'<='") T(GT, "'>'") T(GE, "'>='") \
    T(ANDAND, "'&&'") T(OROR, "'||'") T(BANG, "'!'") T(BANGBANG, "'!!'") \
    T(AMP, "'&'") T(PIPE, "'|'") T(CARET, "'^'") T(TILDE, "'~'") \
    T(SHL, "'<<'") T(SHR, "'>>'") T(USHR, "'>>>'") \
    T(AMPEQ, "'&='") T(PIPEEQ, "'|='") T(CARETEQ, "'^='") T(SHLEQ, "'<<='") \
    T(SHREQ, "'>>='") T(USHREQ, "'>>>='") \
    /* keywords */ \
    T(KW_CONST, "'const'") T(KW_LET, "'let'") T(KW_VAR, "'var'") T(KW_FUNC, "'func'") \
    T(KW_RETURN, "'return'") T(KW_IF, "'if'") T(KW_ELSE, "'else'") T(KW_WHILE, "'while'") \
    T(KW_FOR, "'for'") T(KW_IN, "'in'") T(KW_BREAK, "'break'") T(KW_CONTINUE, "'continue'") \
    T(KW_WHEN, "'when'") T(KW_IS, "'is'") T(KW_AS, "'as'") T(KW_CLASS, "'class'") \
    T(KW_STRUCT, "'struct'") T(KW_TRAIT, "'trait'") T(KW_ENUM, "'enum'") \
    T(KW_EXTENDS, "'extends'") T(KW_WITH, "'with'") T(KW_PUBLIC, "'public'") \
    T(KW_PRIVATE, "'private'") T(KW_STATIC, "'static'") T(KW_SELF, "'self'") \
    T(KW_SUPER, "'super'") T(KW_YIELD, "'yield'") T(KW_START, "'start'") \
    T(KW_IMPORT, "'import'") T(KW_EXPORT, "'export'") T(KW_FROM, "'from'") \
    T(KW_TRUE, "'true'") T(KW_FALSE, "'false'") T(KW_NULL, "'null'") T(KW_VOID, "'void'") \
    T(KW_WHERE, "'where'")

typedef enum TokKind {
#define T(name, spelling) TK_##name,
    WRIT_TOKENS(T)
#undef T
    TK__COUNT
} TokKind;

#define TK_FIRST_KEYWORD TK_KW_CONST
#define TK_LAST_KEYWORD TK_KW_WHERE

/* A source position.  Lines and columns are 1-based; columns count code
 * points (a tab counts as one). */
typedef struct Span {
    uint32_t line, col;       /* start */
    uint32_t end_line, end_col; /* one past the last code point */
    uint32_t off, end_off;    /* byte offsets into the source */
} Span;

typedef struct Token {
    TokKind kind;
    bool space_before;  /* whitespace (or line start) directly before it: decides '?' roles */
    Span span;
    /* IDENT: name (interned in the AST arena, NUL-terminated).
     * STRING/STR_*: the processed text (escapes applied, triple-quote dedent done).
     * INT: value (two's complement for hex/binary); FLOAT: value. */
    const char *text;
    uint32_t len;       /* byte length of text */
    union { int64_t i; double f; } num;
    bool int_min_magnitude; /* INT literal 9223372036854775808 (only valid after unary '-') */
} Token;

extern const char *const tok_spelling[TK__COUNT];

#endif
