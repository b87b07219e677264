/* cli.h — shared by the files of the `writ` command. */
#ifndef WRIT_CLI_H
#define WRIT_CLI_H

#include <stdbool.h>

/* Seconds on the monotonic clock. */
double cli_now(void);
/* A --fixed-dt value: a positive finite number. */
bool cli_parse_dt(const char *text, double *out);
/* Prints "error: MSG" (if any) and the usage to stderr; returns 64. */
int cli_usage_error(const char *msg);
/* `writ repl [--fixed-dt SECONDS] [--sandbox]` */
int cli_repl(int argc, char **argv);

#endif
