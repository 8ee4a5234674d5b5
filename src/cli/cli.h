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
    TS_EXIT_IO = 3,        /* a file could not be read or written             */
    TS_EXIT_INTERRUPTED = 75 /* run stopped by a signal after a clean checkpoint:
                              * resumable (EX_TEMPFAIL of sysexits.h)          */
};

typedef struct {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);   /* argv[0] is the command name */
    void (*usage)(void);
} ts_command;

/* ---- the option parser (cli_opts.c) ----
 * Each command describes its options in a table; ts_cli_parse fills the
 * destinations and returns the positionals, and ts_cli_help prints the
 * help from the same table, so the two cannot disagree. */
typedef enum {
    TS_OPT_FLAG,     /* int, set to 1                              */
    TS_OPT_STRING,   /* const char *                               */
    TS_OPT_DOUBLE,   /* double, a finite number                    */
    TS_OPT_U64,      /* uint64_t, a non-negative integer (1e6 too) */
    TS_OPT_STRINGS   /* ts_cli_list, the flag may repeat           */
} ts_cli_opt_type;

typedef struct {
    const char **v;
    size_t n, cap;
} ts_cli_list;

typedef struct {
    const char *name;       /* long name, without "--"; NULL ends a table    */
    char shrt;              /* short letter, or 0                            */
    ts_cli_opt_type type;
    const char *metavar;    /* the value's name in the help (NULL: by type)  */
    const char *help;       /* may hold '\n' for continuation lines          */
    void *dest;
    const char *conflicts;  /* the long name of an option it contradicts    */
} ts_cli_opt;

typedef struct {
    const char *cmd;        /* "run", "plot", ...                            */
    const char *usage;      /* after "usage: tailsweep CMD "                 */
    const char *summary;    /* paragraph(s) after the usage line             */
    const char *epilog;     /* after the options                             */
    const ts_cli_opt *opts;
    int min_pos, max_pos;   /* positional counts; max_pos -1: unbounded      */
    const char *pos_name;   /* named in "expected ..." when too few          */
    int numeric_positionals;/* "-3" is a positional number, not an option    */
    void (*more_help)(void);/* prints more after the epilog (may be NULL)   */
} ts_cli_spec;

/* Parse argv (argv[0] is the command). Returns -1 when the command should
 * go on, with *pos (malloc'd, free it) holding the npos positionals in
 * order; otherwise the exit code: 0 after --help, TS_EXIT_USAGE after a
 * message on stderr. --help anywhere prints the help; a flag without its
 * value, an unknown, repeated or contradictory flag is an error; a misspelt
 * one gets a "did you mean". */
int ts_cli_parse(const ts_cli_spec *s, int argc, char **argv, char ***pos, int *npos);
void ts_cli_help(const ts_cli_spec *s);
/* Whether the last ts_cli_parse of `s` saw --name (for options whose
 * absence means something other than any value). */
int ts_cli_seen(const ts_cli_spec *s, const char *name);
void ts_cli_list_free(ts_cli_list *l);

/* The candidate nearest to `word` in edit distance, or NULL when none is
 * near enough to be what was meant. */
const char *ts_cli_suggest(const char *word, const char *const *candidates, size_t n);

/* Parse a whole string as a finite double / integer; on failure print
 * "tailsweep CMD: ARG: 'TEXT' is not ..." to stderr and return -1. */
int ts_cli_double(const char *cmd, const char *arg, const char *text, double *out);
int ts_cli_u64(const char *cmd, const char *arg, const char *text, uint64_t *out);

/* A duration as a reader takes it in: "45 s", "12 min", "3.2 h", "12.5 days",
 * "40.6 years"; "unknown" for NaN, infinity or a negative value. */
void ts_cli_duration(double seconds, char *buf, size_t n);
/* SIGTERM, SIGINT and SIGUSR1 go to `handler` (which only sets a flag: the
 * run saves and stops at its next poll). */
void ts_cli_catch_stop_signals(void (*handler)(int));

/* Report an error from the library and map its status to an exit code. */
int ts_cli_fail(const char *cmd, const ts_err *err);

/* Print "tailsweep CMD: message" to stderr and return TS_EXIT_USAGE. */
int ts_cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* cli_kind.c: one task of a kind, its parameters as --NAME VALUE flags;
 * print_summary (may be NULL) serves --print. Messages name argv[0], the
 * command as typed. */
int ts_cli_run_kind(const ts_kind *k, int argc, char **argv,
                    void (*print_summary)(const ts_task *, const ts_result_layout *, double *const *, double));
void ts_cli_kind_usage(const char *cmd, const ts_kind *k);

/* For --print summaries: entry i of result `name`, or NaN when the layout
 * has no such result or it has fewer entries (a summary never indexes past
 * what the kind laid out). */
double ts_cli_value(const ts_result_layout *l, double *const *out, const char *name, size_t i);
/* The number of entries of result `name` (0 when absent). */
size_t ts_cli_size(const ts_result_layout *l, const char *name);

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
extern const ts_command ts_cmd_report;

#endif
