/* lex.h — source text to tokens (language.md §1): newline rules,
 * literals, escapes, interpolation, triple-quoted strings, comments. */
#ifndef WRIT_LEX_H
#define WRIT_LEX_H

#include "token.h"
#include "diag.h"

/* Tokenises the whole source.  Tokens and their text live in arena.
 * Lexical errors are reported into diags (and set diags->syntax_error);
 * lexing continues after an error where it can.  The token array always
 * ends with one TK_EOF.  NEWLINE tokens follow the rules of §1.4 (a
 * NEWLINE is only produced where it can end a statement; runs collapse). */
Token *lex_source(Arena *arena, Diags *diags, const Source *src, size_t *count);
/* §1.4 rule 2: whether a line ending with token t continues on the next. */
bool lex_continues_line(const Token *t);
/* Whether a name is a keyword (host registrations may not use them). */
bool lex_is_keyword(const char *name);

#endif
