#!/usr/bin/python3
"""tools/report_store.py STORE.h5 -o REPORT.html --figures NAME,NAME,...

The drawing half of `tailsweep report` (src/cli/cmd_report.c checks the
arguments, refuses an existing output without --force, aggregates a store
that has no /aggregate, and names the figures of the store's kind; then runs
this with /usr/bin/python3). Writes one self-contained HTML page: the job,
its completion status, the axes, every figure that applies (drawn by
tools/plot_store.py, embedded as base64 PNG, each with its caption: the
kind's own figures, then a curve of each scalar result over the axes), and the
statistics over seeds of every scalar result in tables. Nothing in the page
refers to another file or the network, so it can be mailed or archived
alone. Written under a temporary name and renamed into place.

Exit status: 0 ok; 2 the store cannot be reported; 3 a file could not be
read or written; 1 anything else.
"""
import argparse
import base64
import html
import io
import os
import sys

import numpy as np

sys.dont_write_bytecode = True   # no __pycache__ beside the installed tools
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot_store as ps  # noqa: E402

MAX_ROWS = 200          # rows per statistics table; a note says how many more
MAX_VALUES = 24         # coordinate values listed per axis
MAX_CURVES = 12         # curves of scalar results drawn; a note names the rest
MAX_BY = 8              # values of an axis drawn as lines in one curve

CSS = """
body { font-family: sans-serif; max-width: 1100px; margin: 1.5em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; border-bottom: 1px solid #ccc; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 2px 7px; text-align: right; }
th { background: #eee; } td.l, th.l { text-align: left; }
figure { margin: 1em 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.85em; color: #444; white-space: pre-wrap; }
.bad { color: #a00; } .note { color: #666; font-size: 0.85em; } pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; }
"""


def text(v):
    if isinstance(v, bytes):
        return v.decode(errors="replace")
    if isinstance(v, (float, np.floating)):
        return f"{v:.6g}"
    return str(v)


def esc(v):
    return html.escape(text(v))


def table(head, rows, left=1):
    """An HTML table: the first `left` columns left-aligned (labels)."""
    L = ' class="l"'
    out = ["<table>"]
    if any(head):
        out.append("<tr>" + "".join(f'<th{L if k < left else ""}>{esc(h)}</th>' for k, h in enumerate(head)) + "</tr>")
    for r in rows:
        out.append("<tr>" + "".join(f'<td{L if k < left else ""}>{esc(c)}</td>' for k, c in enumerate(r)) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def status_section(f):
    st = np.asarray(f["status"][()])
    names = ["todo", "done", "failed", "diverged"]
    counts = [int((st == k).sum()) for k in range(4)]
    state = "complete" if counts[0] == 0 else "partial"
    rows = [[n, c, f"{100 * c / max(st.size, 1):.1f}%"] for n, c in zip(names, counts)]
    return (f"<p>{st.size} tasks: <b>{state}</b>"
            + (f', <span class="bad">{counts[2]} failed</span>' if counts[2] else "")
            + (f', <span class="bad">{counts[3]} diverged</span>' if counts[3] else "") + "</p>"
            + table(["status", "tasks", "share"], rows)), state, counts


def axes_section(f):
    dims = ps.dim_names(f["status"])
    rows = []
    for d in dims:
        vals = ps.coord(f, "", d)
        if vals is None:
            vals = list(range(f["status"].shape[dims.index(d)]))
        shown = ", ".join(ps.short(v) for v in vals[:MAX_VALUES]) + (" ..." if len(vals) > MAX_VALUES else "")
        rows.append([d, len(vals), shown])
    return table(["axis", "values", ""], rows)


def figure_html(f, plt, name, store, dpi, fig_id=None, **curve):
    """A figure as an embedded PNG with its caption, or a line saying why
    it was not drawn. `curve` holds a curve's value, x, by and at."""
    fig_id = fig_id or name
    try:
        fig = ps.draw(f, plt, name, store, **curve)
    except ps.FigureError as e:
        return f'<p class="note">{esc(fig_id)}: not drawn: {esc(str(e))}</p>', False
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    caption = fig._suptitle.get_text() if fig._suptitle is not None else ""
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'<figure id="fig-{esc(fig_id)}"><img alt="{esc(fig_id)}" src="data:image/png;base64,{data}">'
            f"<figcaption><b>{esc(fig_id)}</b>: {esc(caption)}</figcaption></figure>"), True


def scalar_results(f):
    """Results with one value per task, whose seed statistics /aggregate holds
    over the task axes alone (no trailing dimension)."""
    if "aggregate" not in f:
        return []
    g = f["aggregate"]
    task_dims = set(ps.dim_names(f["status"]))
    out = []
    for name in sorted(g):
        if not name.endswith("_mean") or name.startswith("map_"):
            continue
        base = name[: -len("_mean")]
        if base in f and set(ps.dim_names(f[base])) <= task_dims and f"{base}_count" in g:
            out.append(base)
    return out


def curve_choice(f, name):
    """How to draw scalar result `name` as a curve over the axes, as a
    researcher would first look at it: x the numeric axis with the most
    values (two or more), a line per value of the next axis with 2..MAX_BY
    values, every other axis of several values fixed at its first value
    (the caption says so). None when no numeric axis has two values."""
    dims = ps.dim_names(f["aggregate"][f"{name}_mean"])
    vals = {d: ps.coord(f, "/aggregate", d) or [] for d in dims}
    numeric = [d for d in dims if len(vals[d]) >= 2 and not any(isinstance(v, str) for v in vals[d])]
    if not numeric:
        return None
    x = max(numeric, key=lambda d: len(vals[d]))   # first of the longest
    by = next((d for d in dims if d != x and 2 <= len(vals[d]) <= MAX_BY), None)
    at = {d: 0 for d in dims if d not in (x, by) and len(vals[d]) > 1}
    return {"value": name, "x": x, "by": by, "at": at}


def result_curves(f, plt, results, store, dpi):
    """A curve of each scalar result over the axes (the first MAX_CURVES;
    a note names the rest): the figures every kind has, so a store whose
    kind draws nothing of its own (linear) still shows its results."""
    blocks, drawn, skipped, flat = [], 0, [], []
    for name in results:
        choice = curve_choice(f, name)
        if choice is None:
            continue
        mean = np.asarray(f["aggregate"][f"{name}_mean"][()], dtype=float)
        if not np.isfinite(mean).any() or np.nanmax(mean) == np.nanmin(mean):
            flat.append(name)   # a flat line (diverged: 0 everywhere) says nothing
            continue
        if drawn == MAX_CURVES:
            skipped.append(name)
            continue
        block, ok = figure_html(f, plt, "curve", store, dpi, fig_id=f"curve-{name}", **choice)
        blocks.append(block)
        drawn += ok
    if flat:
        blocks.append(f'<p class="note">the same value in every cell, or no value (no curve): {esc(", ".join(flat))}</p>')
    if skipped:
        blocks.append(f'<p class="note">curves not drawn here ({len(skipped)}): {esc(", ".join(skipped))}; '
                      "`tailsweep plot STORE --figure curve --value NAME --x AXIS` draws any of them</p>")
    return blocks, drawn


def stats_section(f, name):
    g = f["aggregate"]
    dims = ps.dim_names(g[f"{name}_mean"])
    mean = np.asarray(g[f"{name}_mean"][()], dtype=float)
    parts = {k: np.asarray(g[f"{name}_{k}"][()], dtype=float) for k in ("sd", "median") if f"{name}_{k}" in g}
    count = np.asarray(g[f"{name}_count"][()])
    q = np.asarray(g[f"{name}_quantile"][()], dtype=float) if f"{name}_quantile" in g else None
    qs = list(np.atleast_1d(g.attrs.get("quantiles", [])))
    div = None
    if "tasks_diverged" in g and ps.dim_names(g["tasks_diverged"]) == dims:
        div = np.asarray(g["tasks_diverged"][()])
    coords = [ps.coord(f, "/aggregate", d) or list(range(mean.shape[k])) for k, d in enumerate(dims)]
    head = list(dims) + ["n", "mean", "sd", "median"] + [f"q{100 * p:g}" for p in (qs if q is not None else [])] \
        + (["diverged"] if div is not None else [])
    rows = []
    for idx in np.ndindex(*mean.shape):
        if len(rows) == MAX_ROWS:
            break
        row = [ps.short(coords[k][i]) for k, i in enumerate(idx)]
        row += [int(count[idx]), mean[idx]] + [parts[k][idx] if k in parts else "" for k in ("sd", "median")]
        if q is not None:
            row += list(q[idx])
        if div is not None:
            row.append(int(div[idx]))
        rows.append(["NaN" if isinstance(c, float) and not np.isfinite(c) else c for c in row])
    attrs = f[name].attrs
    unit = text(attrs.get("units", ""))
    long_name = text(attrs.get("long_name", ""))
    more = mean.size - len(rows)
    return (f'<h3 id="stats-{esc(name)}">{esc(name)}</h3><p class="note">{esc(long_name)}'
            + (f" ({esc(unit)})" if unit and unit != "1" else "") + "</p>"
            + table(head, rows, left=len(dims))
            + (f'<p class="note">{more} more rows: `tailsweep export STORE --csv --aggregate` has them all</p>'
               if more > 0 else ""))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store")
    ap.add_argument("-o", dest="out", required=True)
    ap.add_argument("--figures", default="")
    ps.add_look_args(ap)
    a = ap.parse_args()
    plt = ps.start_matplotlib(a.style)
    import h5py

    try:
        f = h5py.File(a.store, "r")
    except OSError as e:
        ps.fail(3, f"{a.store}: cannot open: {e}")
    with f:
        at = f.attrs
        title = f"tailsweep report: {text(at.get('job_file', os.path.basename(a.store)))}"
        status_html, state, counts = status_section(f)
        axes_html = axes_section(f)
        info_rows = [["store", os.path.abspath(a.store)], ["kind", text(at.get("kind", "?"))],
                     ["job file", text(at.get("job_file", "?"))], ["job seed", text(at.get("seed", "?"))],
                     ["replicates", text(at.get("replicates", "?"))], ["created", text(at.get("created", "?"))],
                     ["tailsweep", text(at.get("tailsweep_version", "?"))]]
        if "aggregate" in f:
            ag = f["aggregate"].attrs
            info_rows.append(["/aggregate", f"over {text(ag.get('reduced_over', '?'))}, "
                                            f"written {text(ag.get('created', '?'))}"])
        figs, drawn = [], 0
        for name in [n for n in a.figures.split(",") if n]:
            block, ok = figure_html(f, plt, name, a.store, a.dpi)
            figs.append(block)
            drawn += ok
        results = scalar_results(f)
        blocks, n_curves = result_curves(f, plt, results, a.store, a.dpi)
        figs += blocks
        drawn += n_curves
        stats = [stats_section(f, n) for n in results]
        job_text = text(at.get("job", ""))
    body = [f"<h1>{esc(title)}</h1>", table(["", ""], info_rows, left=2),
            "<h2>Status</h2>", status_html,
            "<h2>Axes</h2>", axes_html,
            f"<h2>Figures ({drawn})</h2>", "\n".join(figs) or '<p class="note">no figure applies</p>',
            "<h2>Statistics over seeds</h2>",
            '<p class="note">per grid point, from /aggregate: n values present (completed seeds), mean, sd '
            "(ddof 1), median and quantiles (NumPy's linear method); diverged seeds are counted in n</p>",
            "\n".join(stats) or '<p class="note">no scalar result</p>',
            "<h2>Job</h2>", f"<pre>{esc(job_text)}</pre>"]
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>\n" + "\n".join(body)
            + "\n</body></html>\n")
    tmp = f"{a.out}.tmp{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(page)
        os.replace(tmp, a.out)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        ps.fail(3, f"{a.out}: cannot write: {e}")
    print(f"tailsweep report: {a.out}: {state} job, {drawn} figures, {len(stats)} tables", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ps.FigureError as e:
        print(f"tailsweep report: {e}", file=sys.stderr)
        sys.exit(e.code)
