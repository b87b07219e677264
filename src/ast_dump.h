/* ast_dump.h — the syntax tree as S-expressions, for parser tests and
 * debugging (`writ` tools may print it too).  The format is stable because
 * tests compare against it:
 *
 *   program      one line per top-level item
 *   literals     42  1.5  true  null  "text" (C-style escapes)
 *   names        x  ns::x  self  super.m
 *   operators    (+ a b)  (- x)  (? c a b)  (is x T)  (as x T)
 *                (range .. a b)  (range ..= a b)
 *   postfix      (call f a (label: b))  (call f <int, T> a)  (index a i)
 *                (. a m)  (?. a m)  (prop x)  (!! x)
 *   collections  (tuple a b)  (array a (... xs))  (dict (k v) (... d))
 *                (interp "hp: " hp)
 *   lambda       (lambda ((x int)) body)      body: expression or (block ...)
 *   when         (when [subject] (arm PAT... => BODY) ...)
 *                PAT: expr | (range ..) | (is T) | (is Success v) | (is Error)
 *                     | (bind x) | else,  with a guard: (if PAT guard)
 *   types        int  Array<int>  ns::T  (int, string)  (int) -> bool  void
 *   statements   (let PAT[:TYPE] [init])  (func ...)  (class ...)  (import ...)
 *                (if c (block ...) [else])  (while c body)  (for PAT iter body)
 *                (return [x])  (break)  (continue)  (start call)  (yield [x])
 *                (= target value)  (+= target value)  (block ...)
 *                an expression statement is its expression; (export STMT)
 */
#ifndef WRIT_AST_DUMP_H
#define WRIT_AST_DUMP_H

#include "ast.h"

void ast_dump_program(Program *prog, Buf *out);
void ast_dump_stmt(Stmt *s, Buf *out);
void ast_dump_expr(Expr *e, Buf *out);
void ast_dump_type(TypeExpr *t, Buf *out);

#endif
