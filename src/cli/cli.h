/* cli.h: what the subcommands share: exit codes, the command table entry,
 * and argument parsers whose errors name the argument. */
#ifndef TS_CLI_H
#define TS_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "tailsweep/ts_error.h"
#include "tailsweep/ts_kind.h"

/* Exit codes (README "Exit codes" lists them for users). */
enum {
    TS_EXIT_OK = 0,
    TS_EXIT_FAILURE = 1,   /* the run failed: numerical blow-up, internal error */
    TS_EXIT_USAGE = 2,     /* bad command line or bad input values            */
    TS_EXIT_IO = 3         /* a file could not be read or written             */
};

typedef struct {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);   /* argv[0] is the command name */
    void (*usage)(void);
} ts_command;

/* Parse a whole string as a finite double / integer; on failure print
 * "tailsweep CMD: ARG: 'TEXT' is not ..." to stderr and return -1. */
int ts_cli_double(const char *cmd, const char *arg, const char *text, double *out);
int ts_cli_u64(const char *cmd, const char *arg, const char *text, uint64_t *out);

/* Report an unknown option, or a value given to a flag that takes none:
 * `arg` is the argv word getopt stopped at, `opt` its optopt. */
int ts_cli_bad_option(const char *cmd, const char *arg, int opt);

/* Report an error from the library and map its status to an exit code. */
int ts_cli_fail(const char *cmd, const ts_err *err);

/* Print "tailsweep CMD: message" to stderr and return TS_EXIT_USAGE. */
int ts_cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* cli_kind.c: one task of a kind, its parameters as --NAME VALUE flags;
 * print_summary (may be NULL) serves --print. */
int ts_cli_run_kind(const ts_kind *k, int argc, char **argv,
                    void (*print_summary)(const ts_task *, const ts_result_layout *, double *const *, double));
void ts_cli_kind_usage(const ts_kind *k, const char *extra);

/* The kinds this program offers (cli_kinds.c), NULL-terminated. */
extern const ts_kind *const ts_cli_kinds[];

extern const ts_command ts_cmd_sample;
extern const ts_command ts_cmd_sde;
extern const ts_command ts_cmd_linear;
extern const ts_command ts_cmd_run;
extern const ts_command ts_cmd_check;
extern const ts_command ts_cmd_status;
extern const ts_command ts_cmd_fit;
extern const ts_command ts_cmd_pdf;
extern const ts_command ts_cmd_cdf;
extern const ts_command ts_cmd_quantile;
extern const ts_command ts_cmd_train;
extern const ts_command ts_cmd_gni;
extern const ts_command ts_cmd_aggregate;
extern const ts_command ts_cmd_export;
extern const ts_command ts_cmd_info;
extern const ts_command ts_cmd_plot;

#endif
