/* ast_clone.h — deep copies of function syntax trees (generic instantiation). */
#ifndef WRIT_AST_CLONE_H
#define WRIT_AST_CLONE_H
#include "ast.h"
FuncDecl *ast_clone_func(Arena *a, const FuncDecl *f);
Expr *ast_clone_expr(Arena *a, const Expr *e);
TypeDecl *ast_clone_type(Arena *a, const TypeDecl *td);
#endif
