/* main.c: the tailsweep binary: finds the subcommand and runs it. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "tailsweep/ts_atomic_file.h"
#include "tailsweep/ts_version.h"

/* A command stopped by a signal leaves no temporary file behind: remove
 * them, then die of the signal as if there were no handler. (`run` sets its
 * own handlers: it stops cleanly instead.) */
static void on_fatal_signal(int sig)
{
    ts_atomic_cleanup_on_signal();
    signal(sig, SIG_DFL);
    raise(sig);
}

static const ts_command *const commands[] = {
    &ts_cmd_run, &ts_cmd_check, &ts_cmd_status, &ts_cmd_info, &ts_cmd_aggregate, &ts_cmd_export, &ts_cmd_plot,
    &ts_cmd_report, &ts_cmd_sde, &ts_cmd_train, &ts_cmd_gni, &ts_cmd_linear,
    &ts_cmd_sample, &ts_cmd_fit, &ts_cmd_pdf, &ts_cmd_cdf, &ts_cmd_quantile };
enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

static const ts_command *find(const char *name)
{
    for (int i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0) return commands[i];
    return NULL;
}

/* "unknown command 'agregate' (did you mean 'aggregate'?)" */
static int unknown_command(const char *who, const char *name)
{
    const char *names[NCOMMANDS + 1];
    for (int i = 0; i < NCOMMANDS; i++) names[i] = commands[i]->name;
    names[NCOMMANDS] = "help";
    const char *near = ts_cli_suggest(name, names, NCOMMANDS + 1);
    if (near) fprintf(stderr, "%s: unknown command '%s' (did you mean '%s'?)\n", who, name, near);
    else fprintf(stderr, "%s: unknown command '%s' (see 'tailsweep help')\n", who, name);
    return TS_EXIT_USAGE;
}

static void help(void)
{
    printf("tailsweep %s: sweeps and Monte Carlo for heavy-tailed, asymmetric SGD noise\n\n"
           "usage: tailsweep COMMAND [ARGS]\n"
           "       tailsweep COMMAND --help\n"
           "       tailsweep help [COMMAND]\n"
           "       tailsweep -V | --version\n\ncommands:\n", TS_VERSION);
    for (int i = 0; i < NCOMMANDS; i++)
        printf("  %-10s %s\n", commands[i]->name, commands[i]->summary);
    printf("  %-10s %s\n", "help", "this text, or a command's");
    puts("\nexit codes: 0 ok, 1 run failed (numerical blow-up, internal error),\n"
         "            2 usage or input error, 3 file could not be read or written,\n"
         "            75 (run) interrupted by a signal after a clean checkpoint: resumable\n"
         "diagnostics go to stderr; data to stdout or the files named.");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        help();
        return TS_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0 || strcmp(name, "version") == 0) {
        printf("tailsweep %s\n", TS_VERSION);
        return TS_EXIT_OK;
    }
    if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        if (argc > 2) {
            const ts_command *c = find(argv[2]);
            if (!c) return unknown_command("tailsweep help", argv[2]);
            c->usage();
        } else {
            help();
        }
        return TS_EXIT_OK;
    }
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) signal(sigs[i], on_fatal_signal);
    const ts_command *c = find(name);
    if (!c) return unknown_command("tailsweep", name);
    return c->run(argc - 1, argv + 1);
}
