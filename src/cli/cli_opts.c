/* cli_opts.c: the one option parser of every subcommand (cli.h): a table
 * of options per command gives getopt_long its table, the generated
 * --help, and the same behaviour everywhere: a value-taking flag without
 * its value says so, a repeated or contradictory flag is an error, --help
 * works anywhere on the line, integers accept 1e6, and a misspelt option
 * gets a "did you mean". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tailsweep/ts_number.h"

/* ---- "did you mean" ---- */

/* Levenshtein distance, for suggestions (short words only). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return 99;
    size_t d[64][64];
    for (size_t i = 0; i <= la; i++) d[i][0] = i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[la][lb];
}

const char *ts_cli_suggest(const char *word, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    size_t best_d = 99, lw = strlen(word);
    for (size_t i = 0; i < n; i++) {
        if (!candidates[i]) continue;
        size_t d = edit_distance(word, candidates[i]);
        /* a prefix of a long name counts as close */
        if (lw >= 3 && strncmp(candidates[i], word, lw) == 0) d = 1;
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    size_t limit = lw <= 4 ? 1 : lw <= 8 ? 2 : 3;
    return best_d <= limit ? best : NULL;
}

/* ---- numbers ---- */

int ts_cli_double(const char *cmd, const char *arg, const char *text, double *out)
{
    ts_num_status st = ts_parse_double(text, out);
    if (st) ts_cli_usage_error(cmd, "%s: '%s' %s", arg, text, ts_num_status_phrase(st));
    return st ? -1 : 0;
}

int ts_cli_u64(const char *cmd, const char *arg, const char *text, uint64_t *out)
{
    ts_num_status st = ts_parse_u64(text, out);
    if (st == TS_NUM_SYNTAX || st == TS_NUM_NONFINITE)
        ts_cli_usage_error(cmd, "%s: '%s' is not a non-negative integer", arg, text);
    else if (st)
        ts_cli_usage_error(cmd, "%s: '%s' %s", arg, text, ts_num_status_phrase(st));
    return st ? -1 : 0;
}

/* ---- help ---- */

static const char *metavar_of(const ts_cli_opt *o)
{
    if (o->metavar) return o->metavar;
    switch (o->type) {
    case TS_OPT_DOUBLE: return "X";
    case TS_OPT_U64: return "N";
    case TS_OPT_STRING:
    case TS_OPT_STRINGS: return "VALUE";
    case TS_OPT_FLAG: return "";
    }
    return "";
}

void ts_cli_help(const ts_cli_spec *s)
{
    printf("usage: tailsweep %s %s\n", s->cmd, s->usage ? s->usage : "[options]");
    if (s->summary) printf("\n%s\n", s->summary);
    int any = 0;
    for (const ts_cli_opt *o = s->opts; o && o->name; o++) {
        if (!any++) printf("\noptions:\n");
        char head[96];
        const char *mv = metavar_of(o);
        if (o->shrt) snprintf(head, sizeof head, "-%c, --%s%s%s", o->shrt, o->name, *mv ? " " : "", mv);
        else snprintf(head, sizeof head, "    --%s%s%s", o->name, *mv ? " " : "", mv);
        /* the help's own line breaks continue under its column */
        printf("  %-26s", head);
        if (strlen(head) >= 26) printf("\n  %-26s", "");
        for (const char *h = o->help ? o->help : ""; *h; h++) {
            putchar(*h);
            if (*h == '\n') printf("  %-26s", "");
        }
        if (o->type == TS_OPT_STRINGS) printf(" (repeatable)");
        putchar('\n');
    }
    printf("  %-26s%s\n", "-h, --help", "this text");
    if (s->epilog) printf("\n%s\n", s->epilog);
    if (s->more_help) s->more_help();
}

/* ---- parsing ---- */

static int value_taking(const ts_cli_opt *o) { return o->type != TS_OPT_FLAG; }

static const ts_cli_opt *find_long(const ts_cli_spec *s, const char *name, size_t len)
{
    for (const ts_cli_opt *o = s->opts; o && o->name; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) return o;
    return NULL;
}

static const ts_cli_opt *find_short(const ts_cli_spec *s, char c)
{
    for (const ts_cli_opt *o = s->opts; o && o->name; o++)
        if (o->shrt && o->shrt == c) return o;
    return NULL;
}

static int unknown(const ts_cli_spec *s, const char *word)
{
    const char *names[128];
    size_t n = 0;
    const char *w = word;
    while (*w == '-') w++;
    size_t len = strcspn(w, "=");
    char bare[64];
    snprintf(bare, sizeof bare, "%.*s", (int)(len < 63 ? len : 63), w);
    for (const ts_cli_opt *o = s->opts; o && o->name && n < 127; o++) names[n++] = o->name;
    names[n++] = "help";
    const char *best = ts_cli_suggest(bare, names, n);
    if (best) return ts_cli_usage_error(s->cmd, "unknown option '%s' (did you mean --%s?)", word, best);
    return ts_cli_usage_error(s->cmd, "unknown option '%s'", word);
}

/* `arg` is the option as typed ("-n" or "--count"): messages name it so. */
static int store(const ts_cli_spec *s, const ts_cli_opt *o, const char *arg, const char *value)
{
    switch (o->type) {
    case TS_OPT_FLAG: *(int *)o->dest = 1; return 0;
    case TS_OPT_STRING: *(const char **)o->dest = value; return 0;
    case TS_OPT_DOUBLE: return ts_cli_double(s->cmd, arg, value, o->dest) ? TS_EXIT_USAGE : 0;
    case TS_OPT_U64: return ts_cli_u64(s->cmd, arg, value, o->dest) ? TS_EXIT_USAGE : 0;
    case TS_OPT_STRINGS: {
        ts_cli_list *l = o->dest;
        if (l->n == l->cap) {
            size_t cap = l->cap ? 2 * l->cap : 8;
            const char **g = realloc(l->v, cap * sizeof *g);
            if (!g) {
                fprintf(stderr, "tailsweep %s: out of memory\n", s->cmd);
                return TS_EXIT_FAILURE;
            }
            l->v = g;
            l->cap = cap;
        }
        l->v[l->n++] = value;
        return 0;
    }
    }
    return TS_EXIT_FAILURE;
}

/* One option seen: refuse a repeat or a contradiction, then store it. */
static int take(const ts_cli_spec *s, int *seen, const ts_cli_opt *o, const char *arg, const char *value)
{
    size_t k = (size_t)(o - s->opts);
    if (seen[k] && o->type != TS_OPT_STRINGS)
        return ts_cli_usage_error(s->cmd, "--%s is given twice", o->name);
    seen[k] = 1;
    for (const ts_cli_opt *q = s->opts; q && q->name; q++) {
        int clash = (o->conflicts && strcmp(o->conflicts, q->name) == 0) ||
                    (q->conflicts && strcmp(q->conflicts, o->name) == 0);
        if (clash && seen[q - s->opts])
            return ts_cli_usage_error(s->cmd, "--%s and --%s contradict each other: give one", q->name, o->name);
    }
    return store(s, o, arg, value);
}

static int is_number(const char *w)
{
    char *end;
    strtod(w, &end);
    return end != w && *end == '\0';
}

static int is_help(const char *w) { return strcmp(w, "--help") == 0 || strcmp(w, "-h") == 0; }

/* A hand-written scan rather than getopt_long: positionals keep their order
 * (pdf 1 -3 2 prints three lines in that order), negative numbers are
 * positionals where a command takes numbers, and abbreviations are not
 * accepted (a script's --out must not silently become --output-dir). */
static int scan(const ts_cli_spec *s, int *seen, int argc, char **argv, char **pv, int *npos)
{
    int only_pos = 0;
    for (int i = 1; i < argc; i++) {
        char *w = argv[i];
        if (only_pos || w[0] != '-' || w[1] == '\0' || (s->numeric_positionals && is_number(w))) {
            pv[(*npos)++] = w;
            continue;
        }
        if (strcmp(w, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (w[1] == '-') {
            const char *name = w + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            const ts_cli_opt *o = find_long(s, name, len);
            if (!o) return unknown(s, w);
            const char *value = NULL;
            if (value_taking(o)) {
                if (eq) value = eq + 1;
                else if (i + 1 < argc) value = argv[++i];
                else return ts_cli_usage_error(s->cmd, "%s needs a value (%s)", w, metavar_of(o));
            } else if (eq) {
                return ts_cli_usage_error(s->cmd, "'%s': --%s takes no value", w, o->name);
            }
            char arg[80];
            snprintf(arg, sizeof arg, "--%s", o->name);
            int rc = take(s, seen, o, arg, value);
            if (rc) return rc;
            continue;
        }
        /* short options, clustered (-fv) or with an attached value (-o x, -ox) */
        for (const char *c = w + 1; *c; c++) {
            const ts_cli_opt *o = find_short(s, *c);
            if (!o) {
                if (c == w + 1 && w[2]) return unknown(s, w);
                return ts_cli_usage_error(s->cmd, "unknown option '-%c'", *c);
            }
            char arg[3] = { '-', *c, '\0' };
            if (!value_taking(o)) {
                int rc = take(s, seen, o, arg, NULL);
                if (rc) return rc;
                continue;
            }
            const char *value = c[1] ? c + 1 : (i + 1 < argc ? argv[++i] : NULL);
            if (!value) return ts_cli_usage_error(s->cmd, "-%c needs a value (%s)", *c, metavar_of(o));
            int rc = take(s, seen, o, arg, value);
            if (rc) return rc;
            break;
        }
    }
    return -1;
}

/* What the last ts_cli_parse saw, for ts_cli_seen: a command parses once,
 * so one record serves (the CLI is single-threaded). */
static const ts_cli_spec *last_spec;
static int last_seen[256];

int ts_cli_seen(const ts_cli_spec *s, const char *name)
{
    if (s != last_spec) return 0;
    const ts_cli_opt *o = find_long(s, name, strlen(name));
    return o && o - s->opts < 256 && last_seen[o - s->opts];
}

int ts_cli_parse(const ts_cli_spec *s, int argc, char **argv, char ***pos, int *npos)
{
    *pos = NULL;
    *npos = 0;
    /* --help anywhere, unless it is the value of an option or after "--" */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) break;
        if (!is_help(argv[i])) continue;
        const ts_cli_opt *prev = NULL;
        const char *p = argv[i - 1];
        if (i > 1 && p[0] == '-' && !strchr(p, '='))
            prev = p[1] == '-' ? find_long(s, p + 2, strlen(p + 2)) : p[2] == '\0' ? find_short(s, p[1]) : NULL;
        if (!prev || !value_taking(prev)) {
            ts_cli_help(s);
            return TS_EXIT_OK;
        }
    }
    size_t nopt = 0;
    for (const ts_cli_opt *o = s->opts; o && o->name; o++) nopt++;
    int *seen = calloc(nopt + 1, sizeof *seen);
    char **pv = calloc((size_t)argc + 1, sizeof *pv);
    if (!seen || !pv) {
        free(seen);
        free(pv);
        fprintf(stderr, "tailsweep %s: out of memory\n", s->cmd);
        return TS_EXIT_FAILURE;
    }
    int rc = scan(s, seen, argc, argv, pv, npos);
    if (rc < 0 && *npos < s->min_pos)
        rc = ts_cli_usage_error(s->cmd, "expected %s", s->pos_name ? s->pos_name : "an argument");
    if (rc < 0 && s->max_pos >= 0 && *npos > s->max_pos)
        rc = ts_cli_usage_error(s->cmd, "unexpected argument '%s'", pv[s->max_pos]);
    last_spec = s;
    for (size_t i = 0; i < nopt && i < 256; i++) last_seen[i] = seen[i];
    free(seen);
    if (rc >= 0) {
        free(pv);
        *npos = 0;
        return rc;
    }
    *pos = pv;
    return -1;
}

void ts_cli_list_free(ts_cli_list *l)
{
    free(l->v);
    *l = (ts_cli_list){ 0 };
}
