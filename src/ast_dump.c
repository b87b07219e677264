/* ast_dump.c — renders the syntax tree as S-expressions (format in
 * ast_dump.h).  Tolerates the partial trees the parser returns after
 * syntax errors (missing children print as `<missing>`). */
#include "ast_dump.h"
#include <stdio.h>
#include <stdlib.h>

static void dump_block(Block *b, Buf *o);
static void dump_func(FuncDecl *fn, Buf *o);

/* An operator's spelling without the quotes of tok_spelling. */
static void put_op(Buf *o, TokKind k) {
    const char *s = tok_spelling[k];
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '\'') buf_put(o, s + 1, n - 2);
    else buf_puts(o, s);
}

static void put_string(Buf *o, const char *s, size_t n) {
    buf_putc(o, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': buf_puts(o, "\\\""); break;
        case '\\': buf_puts(o, "\\\\"); break;
        case '\n': buf_puts(o, "\\n"); break;
        case '\t': buf_puts(o, "\\t"); break;
        case '\r': buf_puts(o, "\\r"); break;
        default:
            if (c < 0x20) buf_printf(o, "\\x%02x", c);
            else buf_putc(o, (char)c);
        }
    }
    buf_putc(o, '"');
}

/* Shortest text that reads back as the same double; always looks like a float. */
static void put_float(Buf *o, double f) {
    char tmp[40];
    int prec = 1;  /* at least the integer digits, so 10.0 is not "1e+01" */
    for (double a = f < 0 ? -f : f; a >= 10 && a < 1e16 && prec < 17; a /= 10) prec++;
    for (; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, f);
        if (strtod(tmp, NULL) == f) break;
    }
    buf_puts(o, tmp);
    if (!strpbrk(tmp, ".eEn")) buf_puts(o, ".0");  /* "n": inf/nan */
}

static void put_name(Buf *o, const char *s) { buf_puts(o, s ? s : "<missing>"); }

void ast_dump_type(TypeExpr *t, Buf *o) {
    if (!t) { buf_puts(o, "<missing>"); return; }
    switch (t->kind) {
    case TY_VOID:
        buf_puts(o, "void");
        return;
    case TY_NAME:
        if (t->ns) buf_printf(o, "%s::", t->ns);
        put_name(o, t->name);
        if (t->nargs) {
            buf_putc(o, '<');
            for (uint32_t i = 0; i < t->nargs; i++) {
                if (i) buf_puts(o, ", ");
                ast_dump_type(t->args[i], o);
            }
            buf_putc(o, '>');
        }
        return;
    case TY_TUPLE:
    case TY_FUNC:
        buf_putc(o, '(');
        for (uint32_t i = 0; i < t->nargs; i++) {
            if (i) buf_puts(o, ", ");
            ast_dump_type(t->args[i], o);
        }
        buf_putc(o, ')');
        if (t->kind == TY_FUNC) {
            buf_puts(o, " -> ");
            ast_dump_type(t->ret, o);
        }
        return;
    }
}

static void dump_pattern(Pattern *p, Buf *o) {
    if (!p) { buf_puts(o, "<missing>"); return; }
    switch (p->kind) {
    case PAT_NAME: put_name(o, p->name); return;
    case PAT_IGNORE: buf_putc(o, '_'); return;
    case PAT_TUPLE:
        buf_putc(o, '(');
        for (uint32_t i = 0; i < p->nelems; i++) {
            if (i) buf_putc(o, ' ');
            dump_pattern(p->elems[i], o);
        }
        buf_putc(o, ')');
        return;
    }
}

static void dump_args(Arg *args, uint32_t n, Buf *o) {
    for (uint32_t i = 0; i < n; i++) {
        buf_putc(o, ' ');
        if (args[i].label) {
            buf_printf(o, "(%s: ", args[i].label);
            ast_dump_expr(args[i].value, o);
            buf_putc(o, ')');
        } else {
            ast_dump_expr(args[i].value, o);
        }
    }
}

static void dump_params(FuncDecl *fn, Buf *o) {
    buf_putc(o, '(');
    for (uint32_t i = 0; i < fn->nparams; i++) {
        Param *pr = &fn->params[i];
        if (i) buf_putc(o, ' ');
        buf_printf(o, "(%s", pr->variadic ? "..." : "");
        put_name(o, pr->name);
        buf_putc(o, ' ');
        ast_dump_type(pr->type, o);
        if (pr->def) {
            buf_puts(o, " = ");
            ast_dump_expr(pr->def, o);
        }
        buf_putc(o, ')');
    }
    buf_putc(o, ')');
}

static void dump_when_pattern(WhenPattern *w, Buf *o) {
    if (w->guard) buf_puts(o, "(if ");
    switch (w->kind) {
    case PK_VALUE: case PK_RANGE: ast_dump_expr(w->expr, o); break;
    case PK_IS: buf_puts(o, "(is "); ast_dump_type(w->type_expr, o); buf_putc(o, ')'); break;
    case PK_SUCCESS: case PK_ERROR:
        buf_printf(o, "(is %s", w->kind == PK_SUCCESS ? "Success" : "Error");
        if (w->bind) buf_printf(o, " %s", w->bind);
        buf_putc(o, ')');
        break;
    case PK_BIND: buf_printf(o, "(bind %s)", w->bind ? w->bind : "<missing>"); break;
    case PK_ELSE: buf_puts(o, "else"); break;
    }
    if (w->guard) {
        buf_putc(o, ' ');
        ast_dump_expr(w->guard, o);
        buf_putc(o, ')');
    }
}

static void dump_when(WhenStmtData *w, Buf *o) {
    buf_puts(o, "(when");
    if (w->subject) {
        buf_putc(o, ' ');
        ast_dump_expr(w->subject, o);
    }
    for (uint32_t i = 0; i < w->narms; i++) {
        WhenArm *a = &w->arms[i];
        buf_puts(o, " (arm");
        for (uint32_t j = 0; j < a->npats; j++) {
            buf_putc(o, ' ');
            dump_when_pattern(a->pats[j], o);
        }
        buf_puts(o, " => ");
        if (a->body) ast_dump_stmt(a->body, o);
        else ast_dump_expr(a->value, o);
        buf_putc(o, ')');
    }
    buf_putc(o, ')');
}

static void dump_list(const char *head, Expr **elems, uint32_t n, Buf *o) {
    buf_printf(o, "(%s", head);
    for (uint32_t i = 0; i < n; i++) {
        buf_putc(o, ' ');
        ast_dump_expr(elems[i], o);
    }
    buf_putc(o, ')');
}

void ast_dump_expr(Expr *e, Buf *o) {
    if (!e) { buf_puts(o, "<missing>"); return; }
    switch (e->kind) {
    case E_INT: buf_printf(o, "%lld", (long long)e->lit.i); return;
    case E_FLOAT: put_float(o, e->lit.f); return;
    case E_BOOL: buf_puts(o, e->lit.b ? "true" : "false"); return;
    case E_NULL: buf_puts(o, "null"); return;
    case E_STRING: put_string(o, e->str ? e->str : "", e->str_len); return;
    case E_INTERP: dump_list("interp", e->elems, e->nelems, o); return;
    case E_NAME: put_name(o, e->str); return;
    case E_NSNAME: buf_printf(o, "%s::", e->ns ? e->ns : "<missing>"); put_name(o, e->str); return;
    case E_SELF: buf_puts(o, "self"); return;
    case E_SUPER: buf_puts(o, "super."); put_name(o, e->str); return;
    case E_UNARY: case E_BINARY:
        buf_putc(o, '(');
        put_op(o, e->op);
        buf_putc(o, ' ');
        ast_dump_expr(e->lhs, o);
        if (e->kind == E_BINARY) {
            buf_putc(o, ' ');
            ast_dump_expr(e->rhs, o);
        }
        buf_putc(o, ')');
        return;
    case E_TERNARY:
        buf_puts(o, "(? ");
        ast_dump_expr(e->cond, o);
        buf_putc(o, ' ');
        ast_dump_expr(e->lhs, o);
        buf_putc(o, ' ');
        ast_dump_expr(e->rhs, o);
        buf_putc(o, ')');
        return;
    case E_IS: case E_AS:
        buf_puts(o, e->kind == E_IS ? "(is " : "(as ");
        ast_dump_expr(e->lhs, o);
        buf_putc(o, ' ');
        ast_dump_type(e->type_expr, o);
        buf_putc(o, ')');
        return;
    case E_CALL:
        buf_puts(o, "(call ");
        ast_dump_expr(e->lhs, o);
        if (e->ntargs) {
            buf_puts(o, " <");
            for (uint32_t i = 0; i < e->ntargs; i++) {
                if (i) buf_puts(o, ", ");
                ast_dump_type(e->targs[i], o);
            }
            buf_putc(o, '>');
        }
        dump_args(e->args, e->nargs, o);
        buf_putc(o, ')');
        return;
    case E_INDEX:
        buf_puts(o, "(index ");
        ast_dump_expr(e->lhs, o);
        buf_putc(o, ' ');
        ast_dump_expr(e->rhs, o);
        buf_putc(o, ')');
        return;
    case E_MEMBER: case E_SAFE_MEMBER:
        buf_puts(o, e->kind == E_MEMBER ? "(. " : "(?. ");
        ast_dump_expr(e->lhs, o);
        buf_putc(o, ' ');
        put_name(o, e->str);
        buf_putc(o, ')');
        return;
    case E_PROPAGATE: case E_UNWRAP: case E_SPREAD: case E_CONVERT:
        buf_puts(o, e->kind == E_PROPAGATE ? "(prop " : e->kind == E_UNWRAP ? "(!! "
                  : e->kind == E_SPREAD ? "(... " : "(convert ");
        ast_dump_expr(e->lhs, o);
        buf_putc(o, ')');
        return;
    case E_TUPLE: dump_list("tuple", e->elems, e->nelems, o); return;
    case E_ARRAY: dump_list("array", e->elems, e->nelems, o); return;
    case E_DICT:
        buf_puts(o, "(dict");
        for (uint32_t i = 0; i < e->nelems; i++) {
            buf_putc(o, ' ');
            if (!e->keys[i]) {
                ast_dump_expr(e->elems[i], o);
                continue;
            }
            buf_putc(o, '(');
            ast_dump_expr(e->keys[i], o);
            buf_putc(o, ' ');
            ast_dump_expr(e->elems[i], o);
            buf_putc(o, ')');
        }
        buf_putc(o, ')');
        return;
    case E_LAMBDA:
        buf_puts(o, "(lambda ");
        dump_params(e->fn, o);
        buf_putc(o, ' ');
        if (e->fn->body) dump_block(e->fn->body, o);
        else ast_dump_expr(e->fn->body_expr, o);
        buf_putc(o, ')');
        return;
    case E_WHEN: dump_when(e->when, o); return;
    case E_RANGE:
        buf_puts(o, "(range ");
        put_op(o, e->op);
        buf_putc(o, ' ');
        ast_dump_expr(e->lhs, o);
        buf_putc(o, ' ');
        ast_dump_expr(e->rhs, o);
        buf_putc(o, ')');
        return;
    case E_YIELD:
        buf_puts(o, "(yield");
        if (e->lhs) {
            buf_putc(o, ' ');
            ast_dump_expr(e->lhs, o);
        }
        buf_putc(o, ')');
        return;
    }
    buf_puts(o, "<?>");
}

static void dump_block(Block *b, Buf *o) {
    if (!b) { buf_puts(o, "<missing>"); return; }
    buf_puts(o, "(block");
    for (uint32_t i = 0; i < b->n; i++) {
        buf_putc(o, ' ');
        ast_dump_stmt(b->stmts[i], o);
    }
    buf_putc(o, ')');
}

static void put_mods(Buf *o, bool pub, bool priv, bool stat) {
    if (pub) buf_puts(o, " public");
    if (priv) buf_puts(o, " private");
    if (stat) buf_puts(o, " static");
}

static void dump_tparams(const char **names, uint32_t n, Buf *o) {
    if (!n) return;
    buf_putc(o, '<');
    for (uint32_t i = 0; i < n; i++) {
        if (i) buf_puts(o, ", ");
        put_name(o, names[i]);
    }
    buf_putc(o, '>');
}

static void dump_where(const char **names, const char **traits, uint32_t n, Buf *o) {
    if (!n) return;
    buf_puts(o, " (where");
    for (uint32_t i = 0; i < n; i++) buf_printf(o, " %s: %s", names[i], traits[i]);
    buf_putc(o, ')');
}

static void dump_func(FuncDecl *fn, Buf *o) {
    buf_puts(o, "(func");
    put_mods(o, fn->is_public, fn->is_private, fn->is_static);
    buf_putc(o, ' ');
    put_name(o, fn->name);
    dump_tparams(fn->tparams, fn->ntparams, o);
    buf_putc(o, ' ');
    dump_params(fn, o);
    if (fn->ret) {
        buf_puts(o, " -> ");
        ast_dump_type(fn->ret, o);
    }
    dump_where(fn->where_names, fn->where_traits, fn->nwhere, o);
    buf_putc(o, ' ');
    if (fn->body) dump_block(fn->body, o);
    else buf_putc(o, '-');
    buf_putc(o, ')');
}

static void dump_field(FieldDecl *f, Buf *o) {
    buf_puts(o, "(field");
    put_mods(o, f->is_public, f->is_private, f->is_static);
    buf_putc(o, ' ');
    put_name(o, f->name);
    buf_putc(o, ' ');
    ast_dump_type(f->type, o);
    if (f->def) {
        buf_puts(o, " = ");
        ast_dump_expr(f->def, o);
    }
    if (f->getter) {
        buf_puts(o, " (get ");
        dump_block(f->getter, o);
        buf_putc(o, ')');
    }
    if (f->setter) {
        buf_printf(o, " (set %s ", f->setter_param ? f->setter_param : "<missing>");
        dump_block(f->setter, o);
        buf_putc(o, ')');
    }
    buf_putc(o, ')');
}

static void dump_typedecl(const char *kw, TypeDecl *td, Buf *o) {
    buf_printf(o, "(%s ", kw);
    put_name(o, td->name);
    dump_tparams(td->tparams, td->ntparams, o);
    if (td->extends) {
        buf_puts(o, " (extends ");
        ast_dump_type(td->extends, o);
        buf_putc(o, ')');
    }
    if (td->nwith) {
        buf_puts(o, " (with");
        for (uint32_t i = 0; i < td->nwith; i++) {
            buf_putc(o, ' ');
            ast_dump_type(td->with[i], o);
        }
        buf_putc(o, ')');
    }
    dump_where(td->where_names, td->where_traits, td->nwhere, o);
    if (td->nvariants) {
        buf_puts(o, " (variants");
        for (uint32_t i = 0; i < td->nvariants; i++) {
            Variant *v = &td->variants[i];
            buf_putc(o, ' ');
            if (v->args) buf_putc(o, '(');
            put_name(o, v->name);
            if (v->args) {
                dump_args(v->args, v->nargs, o);
                buf_putc(o, ')');
            }
        }
        buf_putc(o, ')');
    }
    for (uint32_t i = 0; i < td->nfields; i++) {
        buf_putc(o, ' ');
        dump_field(&td->fields[i], o);
    }
    for (uint32_t i = 0; i < td->nmethods; i++) {
        buf_putc(o, ' ');
        dump_func(td->methods[i], o);
    }
    buf_putc(o, ')');
}

static void dump_import(ImportDecl *im, Buf *o) {
    buf_puts(o, "(import ");
    if (im->ns) {
        buf_printf(o, "* %s", im->ns);
    } else {
        buf_putc(o, '(');
        for (uint32_t i = 0; i < im->nnames; i++) {
            if (i) buf_putc(o, ' ');
            put_name(o, im->names[i]);
        }
        buf_putc(o, ')');
    }
    buf_putc(o, ' ');
    if (im->path) put_string(o, im->path, strlen(im->path));
    else buf_puts(o, "<missing>");
    buf_putc(o, ')');
}

void ast_dump_stmt(Stmt *s, Buf *o) {
    if (!s) { buf_puts(o, "<missing>"); return; }
    if (s->exported) buf_puts(o, "(export ");
    switch (s->kind) {
    case S_VAR:
        buf_puts(o, s->vkind == VK_CONST ? "(const " : s->vkind == VK_LET ? "(let " : "(var ");
        dump_pattern(s->pat, o);
        if (s->vtype) {
            buf_putc(o, ':');
            ast_dump_type(s->vtype, o);
        }
        if (s->init) {
            buf_putc(o, ' ');
            ast_dump_expr(s->init, o);
        }
        buf_putc(o, ')');
        break;
    case S_FUNC: dump_func(s->fn, o); break;
    case S_CLASS: dump_typedecl("class", s->td, o); break;
    case S_STRUCT: dump_typedecl("struct", s->td, o); break;
    case S_TRAIT: dump_typedecl("trait", s->td, o); break;
    case S_ENUM: dump_typedecl("enum", s->td, o); break;
    case S_IMPORT: dump_import(s->imp, o); break;
    case S_IF:
        buf_puts(o, "(if ");
        ast_dump_expr(s->cond, o);
        buf_putc(o, ' ');
        dump_block(s->then, o);
        if (s->els) {
            buf_putc(o, ' ');
            ast_dump_stmt(s->els, o);
        }
        buf_putc(o, ')');
        break;
    case S_WHILE:
        buf_puts(o, "(while ");
        ast_dump_expr(s->cond, o);
        buf_putc(o, ' ');
        dump_block(s->body, o);
        buf_putc(o, ')');
        break;
    case S_FOR:
        buf_puts(o, "(for ");
        dump_pattern(s->pat, o);
        buf_putc(o, ' ');
        ast_dump_expr(s->iter, o);
        buf_putc(o, ' ');
        dump_block(s->body, o);
        buf_putc(o, ')');
        break;
    case S_WHEN: dump_when(s->when, o); break;
    case S_RETURN: case S_YIELD:
        if (s->kind == S_YIELD && s->value && s->value->kind == E_YIELD) {
            ast_dump_expr(s->value, o);
            break;
        }
        buf_puts(o, s->kind == S_RETURN ? "(return" : "(yield");
        if (s->value) {
            buf_putc(o, ' ');
            ast_dump_expr(s->value, o);
        }
        buf_putc(o, ')');
        break;
    case S_BREAK: buf_puts(o, "(break)"); break;
    case S_CONTINUE: buf_puts(o, "(continue)"); break;
    case S_START:
        buf_puts(o, "(start ");
        ast_dump_expr(s->value, o);
        buf_putc(o, ')');
        break;
    case S_ASSIGN:
        buf_putc(o, '(');
        put_op(o, s->op);
        buf_putc(o, ' ');
        ast_dump_expr(s->target, o);
        buf_putc(o, ' ');
        ast_dump_expr(s->value, o);
        buf_putc(o, ')');
        break;
    case S_BLOCK: dump_block(s->body, o); break;
    case S_EXPR: ast_dump_expr(s->value, o); break;
    }
    if (s->exported) buf_putc(o, ')');
}

void ast_dump_program(Program *prog, Buf *o) {
    for (uint32_t i = 0; i < prog->n; i++) {
        ast_dump_stmt(prog->items[i], o);
        buf_putc(o, '\n');
    }
}
