/* dis.c — table-driven disassembler for debugging dumps (WRIT_DUMP=1). */
#include "chunk.h"
#include "opcodes.h"
#include <stdio.h>

static const char *const op_names[] = {
#define OP(name, fmt, extra, meaning) #name,
    WRIT_OPCODES(OP)
#undef OP
};
static const int op_extra[] = {
#define OP(name, fmt, extra, meaning) extra,
    WRIT_OPCODES(OP)
#undef OP
};

void dis_proto(Proto *p, FILE *out) {
    fprintf(out, "== %s (regs %u, params %u, refs", p->name ? p->name : "<lambda>", p->nregs, p->nparams);
    for (uint32_t i = 0; i < p->nrefregs; i++) fprintf(out, " %u", p->refregs[i]);
    fprintf(out, ")\n");
    for (uint32_t pc = 0; pc < p->ncode;) {
        uint32_t ins = p->code[pc];
        int op = INS_OP(ins);
        if (op >= OP__COUNT) { fprintf(out, "%4u  ??? %08x\n", pc, ins); pc++; continue; }
        fprintf(out, "%4u  [%3u] %-12s A=%u B=%u C=%u Bx=%u", pc, p->lines[pc], op_names[op], INS_A(ins), INS_B(ins), INS_C(ins), INS_Bx(ins));
        int extra = op_extra[op];
        if (op == OP_CALL || op == OP_CALLV || op == OP_CALLN || op == OP_CALLH) extra += (INS_B(ins) + 3) / 4 - (op == OP_CALL ? 1 : 0);
        if (op == OP_CALL) extra = 1 + (INS_B(ins) + 3) / 4;
        for (int k = 1; k <= extra; k++) fprintf(out, " [%d]", (int32_t)p->code[pc + k]);
        fprintf(out, "\n");
        pc += 1 + extra;
    }
}
