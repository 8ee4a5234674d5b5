#!/usr/bin/python3
"""tools/plot_store.py STORE.h5 --figure NAME -o OUT.{png,pdf,svg} [--by AXIS] [--dpi D] [--width W] [--height H] [--style S]

The drawing half of `tailsweep plot` (src/cli/cmd_plot.c checks the
arguments and the store first, aggregates a store without /aggregate, then
runs this with /usr/bin/python3). Reads the store with h5py, draws with
matplotlib's Agg backend, writes OUT in the format its ending names under a
temporary name and renames it into place. Every figure carries a caption
(the job, its seed, n per cell, what the lines and bands are), so it reads
alone in a paper. tools/report_store.py draws with the same functions.

Figures (docs/aggregate.md):
  fig6       density against Gibbs, a panel per alpha, a curve per theta, the
             mean over seeds with a +-1 sd band cut at 0 (the paper's figure 6)
  shiftmap   heatmaps over (alpha, theta) of the shift maps, annotated with
             the mean and the half-width of its confidence interval
  loss       each rank-1 result over `step`: mean over the seeds done (a
             diverged seed leaves its cell), the seeds' 25%-75% quantiles as
             band, a curve per value of --by (the paper's figures 4, 5, 8)
  gradnoise  distributions of the fitted gradient-noise alpha and beta per
             value of --by (the paper's figure 8, row 2)
  fig7       test loss and accuracy over steps per training method (baseline,
             noise, explicit reg: the store's objective and noise axis), and
             the final test loss paired within seeds (the paper's figure 7)
  fig4       training-loss curves of M = 1, M = 16 and the mimics, and each
             seed's distance to M = 1, stable against Gaussian (figure 4)
  metastability  eps^-alpha x exit_rate against eps, a panel per basin, a curve
             per value of the other axes, the small-noise law's limit dashed
  gradnoise_pdf  the pdf of the positive raw gradient-noise values against
             fitted half-normal and half-Cauchy laws (the paper's figure 2)
  curve, map any scalar result's seed mean against one or two axes
  fig3       sub-Weibull draws with MLE stable and Gaussian fits (the paper's
             figure 3), from the JSON numbers the C front end computed

Exit status: 0 ok; 2 the store lacks what the figure needs; 3 a file could
not be read or written; 1 anything else.
"""
import argparse
import os
import sys
import warnings

import numpy as np


class FigureError(Exception):
    """What stops a figure: exit code (2 the store lacks what it needs, 3 a
    file, 1 anything else) and message. main() prints it and exits; the
    report (tools/report_store.py) lists it as a figure not drawn."""

    def __init__(self, code, msg):
        super().__init__(msg)
        self.code = code


def fail(code, msg):
    raise FigureError(code, msg)


FORMATS = ("png", "pdf", "svg")


def add_look_args(ap):
    """The options that set how a figure looks (the C front end checked them)."""
    ap.add_argument("--dpi", type=float, default=100.0)
    ap.add_argument("--width", type=float)
    ap.add_argument("--height", type=float)
    ap.add_argument("--style")


def start_matplotlib(style=None):
    """matplotlib.pyplot on the Agg backend, with a style sheet applied (a
    name matplotlib knows or a .mplstyle file; an unknown one exits 2 with
    the names there are)."""
    try:
        import h5py  # noqa: F401  (checked here so the message names both)
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        fail(3, f"needs h5py and matplotlib ({e}); Debian: python3-h5py python3-matplotlib")
    if style:
        if not os.path.exists(style) and style not in plt.style.available:
            fail(2, f"--style {style}: no such style sheet or file (styles: {', '.join(sorted(plt.style.available))})")
        try:
            plt.style.use(style)
        except (OSError, ValueError) as e:
            fail(2, f"--style {style}: {e}")
    return plt


def resize(fig, width, height):
    """--width / --height in inches; one alone keeps the figure's aspect."""
    w, h = fig.get_size_inches()
    if width and height:
        fig.set_size_inches(width, height)
    elif width:
        fig.set_size_inches(width, h * width / w)
    elif height:
        fig.set_size_inches(w * height / h, height)


def out_format(out):
    """The format the output's ending names, or exit 2."""
    fmt = out.rsplit(".", 1)[-1].lower() if "." in os.path.basename(out) else ""
    if fmt not in FORMATS:
        fail(2, f"-o {out}: the output is a .png, .pdf or .svg file")
    return fmt


def figure_mark(identity):
    """The text every figure carries in its metadata (PNG and SVG
    Description, PDF Subject): which job it was drawn from. All three
    formats store it as plain bytes, so it is found without parsing."""
    return f"tailsweep figure of job {identity}"


def check_replace(out, identity, force):
    """An existing OUT is replaced only when it is a figure of this job (it
    carries this job's mark), or with --force: a user's other file, or a
    figure of another job, is never overwritten silently (exit 3)."""
    if force or not os.path.lexists(out):
        return
    if os.path.isdir(out):
        fail(3, f"-o {out}: is a directory")
    try:
        with open(out, "rb") as fh:
            head = fh.read()   # a figure: a few MB at most; PDF keeps its metadata at the end
    except OSError as e:
        fail(3, f"-o {out}: exists and cannot be read ({e}); use --force to replace it")
    if figure_mark(identity).encode() not in head:
        fail(3, f"-o {out}: exists and is not a figure of this job ({identity}); "
                "use --force to replace it, or another -o")


def save(fig, out, look, identity):
    """Write fig to out in the format its ending names (png, pdf, svg),
    under a temporary name renamed into place, so a reader never sees half
    a file. Metadata that would change between runs (dates) is left out;
    the job's mark is put in (check_replace)."""
    fmt = out_format(out)
    if look.width or look.height:
        resize(fig, look.width, look.height)
        fig.tight_layout()
    mark = figure_mark(identity)
    meta = {"pdf": {"CreationDate": None, "ModDate": None, "Subject": mark},
            "svg": {"Date": None, "Description": mark}}.get(fmt, {"Description": mark})
    tmp = f"{out}.tmp{os.getpid()}.{fmt}"
    try:
        fig.savefig(tmp, dpi=look.dpi, format=fmt, metadata=meta)
        os.replace(tmp, out)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        fail(3, f"{out}: cannot write: {e}")


def add_caption(fig, job, info, at="", dropped=()):
    """The title block every figure carries, so it reads alone when pasted
    into a paper: the job (file, kind, seed, replicates), what the lines and
    bands are with n per cell, and where other dimensions were fixed."""
    lines = [job, info]
    where = []
    if at:
        where.append(f"at {at}")
    if dropped:
        where.append(f"first value of {', '.join(dropped)}")
    if where:
        lines.append("; ".join(where))
    import textwrap

    width = max(60, int(fig.get_size_inches()[0] * 14))   # ~14 characters per inch at 8.5 points
    text = "\n".join(textwrap.fill(line, width) for line in lines if line)
    fig.suptitle(text, fontsize=8.5, ha="center")
    fig.tight_layout()


def dim_names(dset):
    """Dimension names of an h5py dataset, from its attached scales."""
    names = []
    for k, d in enumerate(dset.dims):
        names.append(d[0].name.rsplit("/", 1)[-1] if len(d) else f"dim{k}")
    return names


def coord(f, group, name):
    """Coordinate values of a dimension: from the group, else the root."""
    for path in (f"{group}/{name}", f"/{name}"):
        if path in f:
            v = f[path][()]
            if v.dtype.kind in "OS":
                return [x.decode() if isinstance(x, bytes) else str(x) for x in v]
            return list(v)
    return None


def label(v):
    return f"{v:g}" if isinstance(v, (float, np.floating)) else str(v)


def short(v):
    """A tick label: 3 significant digits (logspace coordinates are long)."""
    return f"{v:.3g}" if isinstance(v, (float, np.floating)) else str(v)


def job_line(f, store):
    """The first line of every caption: job file, kind, job seed, replicates."""
    a = f.attrs
    txt = lambda v: v.decode() if isinstance(v, bytes) else str(v)
    return (f"job {txt(a.get('job_file', '?'))} ({txt(a.get('kind', '?'))}, job seed {txt(a.get('seed', '?'))}, "
            f"{txt(a.get('replicates', '?'))} replicates per point; store {os.path.basename(store)})")


def n_range(values):
    """'n = 5' or 'n = 3-5'."""
    lo, hi = int(min(values)), int(max(values))
    return f"n = {hi}" if lo == hi else f"n = {lo}-{hi}"


def n_per_cell(count):
    """'n = 5 seeds per cell' or 'n = 3-5 seeds per cell' (cells with none
    left out of the range, and said)."""
    c = np.asarray(count, dtype=float).ravel()
    c = c[np.isfinite(c)]
    if c.size == 0:
        return "no values"
    empty = int((c == 0).sum())
    return n_range(c[c > 0] if (c > 0).any() else [0]) + " seeds per cell" + (f" ({empty} empty)" if empty else "")


# Line styles that do not run out: 4 dash patterns x 6 markers (none first)
# give 24 distinct styles before any repeats.
DASHES = ["-", "--", ":", "-."]
MARKERS = ["", "o", "s", "^", "v", "D"]


def line_style(k):
    """(linestyle, marker) of the k-th series of one colour."""
    return DASHES[k % len(DASHES)], MARKERS[(k // len(DASHES)) % len(MARKERS)]


def plus_minus(half, resolution=None):
    """'\n±h' for an interval half-width h: two significant digits, so a
    small non-zero h never reads '±0'; below the resolution of the grid a
    value is measured on (all seeds on the same grid point), '±<res', which
    is what is known; nothing when h is undefined (under 2 seeds) or 0
    (every seed gave the same value; the caption says so)."""
    if not np.isfinite(half):
        return ""
    if resolution and half < resolution:
        return f"\n±<{resolution:.2g}"
    if half == 0:
        return ""   # every seed gave the same value: no interval to show
    return f"\n±{half:.2g}"


def cell_fontsize(fig, ax, ncols, nrows, lines=2, chars=6):
    """A font size (points) that fits `lines` lines of `chars` characters in
    one heatmap cell, between 7 and 11 points."""
    fig.canvas.draw()
    bbox = ax.get_window_extent()
    w_pt = bbox.width / fig.dpi * 72 / max(ncols, 1)
    h_pt = bbox.height / fig.dpi * 72 / max(nrows, 1)
    return float(np.clip(min(w_pt / (0.62 * chars), h_pt / (1.25 * lines)), 7, 11))


def select(arr, names, keep):
    """Index 0 of every dimension not in keep (reported), in keep's order."""
    dropped = []
    idx = []
    for n, size in zip(names, arr.shape):
        if n in keep:
            idx.append(slice(None))
        else:
            idx.append(0)
            if size > 1:
                dropped.append(n)
    sub = arr[tuple(idx)]
    left = [n for n in names if n in keep]
    return np.transpose(sub, [left.index(n) for n in keep]), dropped


def fig6(f, plt):
    g = f["aggregate"]
    dens, names = g["density_mean"][()], dim_names(g["density_mean"])
    sd = g["density_sd"][()]
    gibbs = g["gibbs_mean"][()]
    for need in ("alpha", "theta", "x"):
        if need not in names:
            fail(2, f"fig6 needs density over alpha, theta and x; it is over {names}")
    keep = ["alpha", "theta", "x"]
    dens, dropped = select(dens, names, keep)
    sd, _ = select(sd, names, keep)
    gibbs, _ = select(gibbs, names, keep)
    alphas, thetas, x = coord(f, "/aggregate", "alpha"), coord(f, "/aggregate", "theta"), coord(f, "/aggregate", "x")
    fig, axes = plt.subplots(1, len(alphas), figsize=(5 * len(alphas), 4), squeeze=False)
    cmap = plt.get_cmap("plasma")
    for i, a in enumerate(alphas):
        ax = axes[0, i]
        for j, t in enumerate(thetas):
            c = cmap(0.85 * j / max(len(thetas) - 1, 1))   # plasma's last yellow is too pale
            ax.plot(x, dens[i, j], color=c, lw=1.4, label=f"theta = {label(t)}")
            ok = np.isfinite(sd[i, j])
            if ok.any():
                # a density is never negative: the band is cut at 0; drawn
                # with its edges, so a narrow band still shows
                lo = np.maximum(dens[i, j] - sd[i, j], 0)[ok]
                hi = (dens[i, j] + sd[i, j])[ok]
                ax.fill_between(np.asarray(x)[ok], lo, hi, color=c, alpha=0.35, lw=0.6, edgecolor=c)
        ax.plot(x, gibbs[i, 0], "k--", lw=1.2, label="Gibbs")
        ax.set_title(f"alpha = {label(a)}")
        ax.set_xlabel("w")
        ax.set_ylabel("stationary density")
    axes[0, -1].legend(fontsize=8)
    count, _ = select(f["aggregate"]["density_count"][()], names, keep) if "density_count" in g else (None, None)
    info = ("stationary density: mean over seeds; band ±1 sd over seeds (cut at 0); "
            + (n_per_cell(count[..., 0]) if count is not None else ""))
    return fig, dropped, info


def shiftmap(f, plt):
    g = f["aggregate"]
    metrics = [m for m in ("shift_left", "shift_right", "tv", "kl", "w1", "diverged_frac") if f"map_{m}" in g]
    if not metrics:
        fail(2, "no shift maps (aggregate/map_*) in the store")
    names = dim_names(g[f"map_{metrics[0]}"])
    if "alpha" not in names or "theta" not in names:
        fail(2, f"shiftmap needs maps over alpha and theta; they are over {names}")
    alphas, thetas = coord(f, "/aggregate", "alpha"), coord(f, "/aggregate", "theta")
    ncol = 3 if len(metrics) > 2 else len(metrics)
    nrow = (len(metrics) + ncol - 1) // ncol
    # a cell at least ~0.6 x 0.42 inches, so its two lines read at 7+ points
    pw, ph = max(4.6, 1.6 + 0.6 * len(thetas)), max(3.8, 1.4 + 0.42 * len(alphas))
    fig, axes = plt.subplots(nrow, ncol, figsize=(pw * ncol, ph * nrow), squeeze=False)
    dropped = []
    annotate = len(alphas) * len(thetas) <= 100
    xs = coord(f, "", "x")
    grid_step = float(np.min(np.diff(np.asarray(xs, dtype=float)))) if xs is not None and len(xs) > 1 else None
    counts = []
    for k, m in enumerate(metrics):
        ax = axes[k // ncol, k % ncol]
        mean, dropped = select(g[f"map_{m}"][()], names, ["alpha", "theta"])
        hi, _ = select(g[f"map_{m}_ci_hi"][()], names, ["alpha", "theta"])
        if f"map_{m}_count" in g:
            counts.append(select(g[f"map_{m}_count"][()], names, ["alpha", "theta"])[0])
        half = hi - mean
        diverging = m.startswith("shift")
        lim = np.nanmax(np.abs(mean)) if np.isfinite(mean).any() else 1.0
        im = ax.imshow(mean, origin="lower", aspect="auto", cmap="RdBu_r" if diverging else "viridis",
                       vmin=-lim if diverging else None, vmax=lim if diverging else None)
        fig.colorbar(im, ax=ax, shrink=0.85)
        ax.set_xticks(range(len(thetas)))
        ax.set_xticklabels([label(t) for t in thetas], fontsize=8, rotation=90 if len(thetas) > 8 else 0)
        ax.set_yticks(range(len(alphas)))
        ax.set_yticklabels([label(a) for a in alphas], fontsize=8)
        ax.set_xlabel("theta")
        ax.set_ylabel("alpha")
        ax.set_title(m.replace("_", " "))
        if annotate:
            fs = cell_fontsize(fig, ax, len(thetas), len(alphas))
            # a mode shift is measured on the density's grid: seeds that agree
            # to within its spacing give a zero-width interval, which says
            # "below the grid's resolution", not "exact"
            res = grid_step if diverging else None
            for i in range(len(alphas)):
                for j in range(len(thetas)):
                    if np.isfinite(mean[i, j]):
                        txt = f"{mean[i, j]:.2g}" + plus_minus(half[i, j], res)
                        r, gr, b, _ = im.cmap(im.norm(mean[i, j]))
                        ink = "white" if 0.299 * r + 0.587 * gr + 0.114 * b < 0.5 else "black"
                        ax.text(j, i, txt, ha="center", va="center", fontsize=fs, color=ink)
    for k in range(len(metrics), nrow * ncol):
        axes[k // ncol, k % ncol].axis("off")
    level = float(g.attrs.get("ci_level", 0.95))
    info = (f"cells: mean over seeds ± half-width of its {100 * level:g}% Student-t interval (none: seeds all equal)"
            + (f" (shifts: ±<{grid_step:.2g} = below the density grid's spacing)" if grid_step else "")
            + "; " + (n_per_cell(np.concatenate([c.ravel() for c in counts])) if counts else ""))
    return fig, dropped, info


def ci_factor(count, level):
    """Student t factor of a two-sided `level` interval for a mean of `count`
    values; NaN where count < 2 (seeds are few, so t, not 1.96)."""
    from scipy import stats

    c = np.asarray(count, dtype=float)
    out = np.full(c.shape, np.nan)
    ok = c >= 2
    out[ok] = stats.t.ppf((1 + level) / 2, c[ok] - 1)
    return out


def pick(arr, names, keep, at):
    """Sub-array of arr: the dimensions in keep (in keep's order), each --at
    dimension at its index, dimensions neither kept nor fixed at 0 (the C
    front end allows that only for a single value; a dataset such as
    tasks_diverged that lacks a dimension simply has nothing to index)."""
    idx, left = [], []
    for n in names:
        if n in keep:
            idx.append(slice(None))
            left.append(n)
        else:
            idx.append(at.get(n, 0))
    sub = np.asarray(arr)[tuple(idx)]
    present = [n for n in keep if n in left]
    sub = np.transpose(sub, [left.index(n) for n in present])
    # a kept dimension the dataset lacks: broadcast along it
    for k, n in enumerate(keep):
        if n not in left:
            sub = np.expand_dims(sub, k)
    return sub


def scalar_stats(f, value, keep, at):
    """Mean, CI half-width, count and diverged count of result `value` over
    the kept dimensions, from /aggregate. Cells where a seed diverged are
    NaN in the mean: a diverged task keeps its results (the linear kind's
    tail indices read -1 there; the gni kind's values are NaN after the
    blow-up), and a mean over only the seeds that survived is biased."""
    g = f["aggregate"]
    names = dim_names(g[f"{value}_mean"])
    mean = pick(g[f"{value}_mean"][()], names, keep, at)
    se = pick(g[f"{value}_se"][()], names, keep, at)
    count = pick(g[f"{value}_count"][()], names, keep, at)
    level = float(g.attrs.get("ci_level", 0.95))
    half = ci_factor(count, level) * se
    div = np.zeros(mean.shape)
    if "tasks_diverged" in g:
        dn = dim_names(g["tasks_diverged"])
        d = pick(g["tasks_diverged"][()], dn, [k for k in keep], {n: i for n, i in at.items() if n in dn})
        div = np.broadcast_to(d, mean.shape).astype(float)
    mean = np.where(div > 0, np.nan, mean)
    half = np.where(div > 0, np.nan, half)
    return mean, half, count, div, level


def done_values(f, name):
    """Raw result `name` with every value of a task not done NaN, whether
    each value's task diverged (both over the result's dimensions: /status
    is over the task dimensions, broadcast over any trailing ones), and the
    dimension names."""
    names = dim_names(f[name])
    x = np.array(f[name][()], dtype=float)
    st_names = dim_names(f["status"])
    st = np.transpose(np.array(f["status"][()]), [st_names.index(n) for n in names if n in st_names])
    st = st.reshape(st.shape + (1,) * (x.ndim - st.ndim))
    return np.where(st == 1, x, np.nan), np.broadcast_to(st == 3, x.shape), names


def paired_stats(f, value, keep, at, diff):
    """Like scalar_stats, for the paired differences `value - value at
    diff[0] = coordinate index diff[1]` within each replicate (same data and
    noise when the job shares them), from the raw results and /status: per
    cell the mean over the seeds done at both points, the t interval of that
    mean, the count, and the number of diverged seeds at either point. A
    diverged seed is left out of the cell's pairs (its difference is
    undefined), not the whole cell: the pairs that remain are still paired,
    and the figure says how many seeds each cell lost."""
    from scipy import stats

    axis, ref = diff
    x, diverged, names = done_values(f, value)
    diverged = diverged.astype(float)
    cols = keep + ["replicate"]
    sub = pick(x, names, cols, at)
    dsub = pick(diverged, names, cols, at)
    k = keep.index(axis)
    d = sub - np.take(sub, [ref], axis=k)
    div = np.maximum(dsub, np.take(dsub, [ref], axis=k)).sum(axis=-1)   # seeds, not events
    count = np.isfinite(d).sum(axis=-1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(d, axis=-1) / count
        sd = np.sqrt(np.nansum((d - mean[..., None]) ** 2, axis=-1) / (count - 1))
    level = float(f["aggregate"].attrs.get("ci_level", 0.95)) if "aggregate" in f else 0.95
    half = np.full(mean.shape, np.nan)
    ok = count >= 2
    half[ok] = stats.t.ppf((1 + level) / 2, count[ok] - 1) * sd[ok] / np.sqrt(count[ok])
    mean = np.where(count == 0, np.nan, mean)
    return mean, half, count, div, level


def stats_for(f, value, keep, at, diff):
    return paired_stats(f, value, keep, at, diff) if diff else scalar_stats(f, value, keep, at)


def diff_label(f, value, diff):
    if not diff:
        return value.replace("_", " ")
    return f"{value.replace('_', ' ')} − at {diff[0]}={short(coord(f, '/aggregate', diff[0])[diff[1]])}"


def logspace_like(vals):
    """Positive values spaced more evenly in log than linearly (B = 1, 2, 4,
    10, 20, 40; a logspace axis); two values: a ratio of 10 or more."""
    try:
        v = np.asarray(vals, dtype=float)
    except (TypeError, ValueError):
        return False
    if v.size < 2 or not np.all(v > 0):
        return False
    v = np.sort(v)
    if v.size == 2:
        return v[1] / v[0] >= 10
    cv = lambda d: np.std(d) / np.mean(d) if np.mean(d) > 0 else np.inf
    return cv(np.diff(np.log(v))) < cv(np.diff(v))


def fixed_note(f, at, names):
    """'eta=0.05, B=4' for the title: the --at choices and single values."""
    parts = []
    for n in names:
        vals = coord(f, "/aggregate", n)
        if n in at:
            parts.append(f"{n}={label(vals[at[n]])}" if vals else f"{n}[{at[n]}]")
    return ", ".join(parts)


def curve(f, plt, value, x, by, at, diff=None):
    keep = [by, x] if by else [x]
    mean, half, count, div, level = stats_for(f, value, keep, at, diff)
    if not by:
        mean, half, count, div = mean[None], half[None], count[None], div[None]
    xs = coord(f, "/aggregate", x)
    categorical = any(isinstance(v, str) for v in xs)
    pos = np.arange(len(xs)) if categorical else np.asarray(xs, dtype=float)
    if not categorical:
        # an axis may be written in any order: a line joins its points by x
        order = np.argsort(pos, kind="stable")
        pos, xs = pos[order], [xs[i] for i in order]
        mean, half, count, div = (np.take(v, order, axis=-1) for v in (mean, half, count, div))
    byvals = coord(f, "/aggregate", by) if by else [None]
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    cmap = plt.get_cmap("viridis")
    masked = []
    for b, bv in enumerate(byvals):
        c = cmap(0.9 * b / max(len(byvals) - 1, 1))
        m, h = mean[b], half[b]
        ls, mk = line_style(b)
        ax.plot(pos, m, ls=ls, marker=mk or "o", color=c, lw=1.4, ms=4, label=f"{by} = {label(bv)}" if by else value)
        ok = np.isfinite(h) & np.isfinite(m)
        if ok.any():
            ax.fill_between(pos[ok], (m - h)[ok], (m + h)[ok], color=c, alpha=0.12, lw=0)
        for i in np.nonzero(div[b] > 0)[0]:
            where = f"{by}={short(bv)}, {x}={short(xs[i])}" if by else f"{x}={short(xs[i])}"
            masked.append(f"{where}: {div[b][i]:g}" if diff else where)
    if categorical:
        ax.set_xticks(pos)
        ax.set_xticklabels(xs)
    elif logspace_like(xs):
        ax.set_xscale("log")
        ax.set_xticks(pos)
        ax.set_xticklabels([short(v) for v in xs])
        ax.minorticks_off()
    ax.set_xlabel(x)
    ax.set_ylabel(diff_label(f, value, diff))
    what = "paired difference within each seed" if diff else "mean over seeds"
    ax.set_title(f"{value}: {what}", fontsize=10)
    if diff:
        ax.axhline(0, color="grey", lw=0.8, ls=":")
    if masked:
        lead = "seeds left out (diverged here or at the reference): " if diff else "not drawn (a seed diverged): "
        ax.text(0.01, 0.01, lead + "; ".join(masked[:6]) + (" ..." if len(masked) > 6 else ""),
                transform=ax.transAxes, fontsize=7, color="firebrick", va="bottom")
    ax.legend(fontsize=8, loc="upper right" if masked else "best")   # the note sits bottom left
    info = f"line: {what}; band: its {100 * level:g}% Student-t interval; {n_per_cell(count)}"
    return fig, fixed_note(f, at, list(at)), info


def heatmap(f, plt, value, x, y, at, diff=None):
    mean, half, count, div, level = stats_for(f, value, [y, x], at, diff)
    xs, ys = coord(f, "/aggregate", x), coord(f, "/aggregate", y)
    fig, ax = plt.subplots(figsize=(max(5.0, 1.0 + 0.9 * len(xs)), max(3.8, 1.2 + 0.5 * len(ys))))
    im = ax.imshow(np.ma.masked_invalid(mean), origin="lower", aspect="auto", cmap="viridis")
    im.cmap.set_bad("lightgrey")
    fig.colorbar(im, ax=ax, shrink=0.85, label=diff_label(f, value, diff))
    ax.set_xticks(range(len(xs)))
    ax.set_xticklabels([short(v) for v in xs], fontsize=8, rotation=90 if len(xs) > 8 else 0)
    ax.set_yticks(range(len(ys)))
    ax.set_yticklabels([short(v) for v in ys], fontsize=8)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    what = "paired difference within each seed" if diff else "mean over seeds"
    ax.set_title(f"{value}: {what} ± {100 * level:g}% CI half-width\ngrey: a seed diverged (diverged / seeds)", fontsize=9)
    if len(xs) * len(ys) <= 120:
        for i in range(len(ys)):
            for j in range(len(xs)):
                if div[i, j] > 0:
                    # diverged seeds / seeds present (a diverged task keeps its results, so it is counted)
                    ax.text(j, i, f"div\n{div[i, j]:g}/{count[i, j]:g}", ha="center", va="center", fontsize=7,
                            color="firebrick")
                elif np.isfinite(mean[i, j]):
                    txt = f"{mean[i, j]:.3g}" + plus_minus(half[i, j])
                    r, gr, b, _ = im.cmap(im.norm(mean[i, j]))
                    ink = "white" if 0.299 * r + 0.587 * gr + 0.114 * b < 0.5 else "black"
                    ax.text(j, i, txt, ha="center", va="center", fontsize=7, color=ink)
    info = f"cells: {what} ± half-width of its {100 * level:g}% Student-t interval; {n_per_cell(count)}"
    return fig, fixed_note(f, at, list(at)), info


def default_by(f, by):
    task_dims = dim_names(f["status"])[:-1]   # the axes; replicate is last
    if by:
        return by
    for cand in ("sigma2", "M"):
        if cand in task_dims:
            return cand
    return task_dims[0] if task_dims else None


def seed_curves(f, name, order):
    """The seeds' curves of rank-1 result `name`, from the raw results and
    /status: an array over the aggregate's dimensions `order` (ending in
    step) with one more dimension before step, the seeds (replicate, and any
    axis /aggregate was reduced over), and the count of diverged seeds per
    cell. Only done tasks count: a diverged seed keeps its curve up to the
    blow-up (NaN after it in the gni kind, the sentinel -1 in the linear
    one), so it drops out of its cell, and the cell's other seeds stay."""
    x, diverged, names = done_values(f, name)
    pooled = [n for n in names if n not in order]
    perm = [names.index(n) for n in order[:-1]] + [names.index(n) for n in pooled] + [names.index("step")]
    cells = [x.shape[names.index(n)] for n in order[:-1]]
    shape = cells + [-1, x.shape[names.index("step")]]
    seeds = np.transpose(x, perm).reshape(shape)
    ndiv = np.transpose(diverged, perm).reshape(shape)[..., 0].sum(axis=-1)
    return seeds, ndiv


def loss(f, plt, by):
    g = f["aggregate"]
    axes_of_tasks = set(dim_names(f["status"]))
    curves = []
    for name in g:
        # a rank-1 result over step: nothing but task axes and step is left
        if name.endswith("_mean") and not name.startswith("map_"):
            dims = set(dim_names(g[name]))
            if "step" in dims and dims - axes_of_tasks == {"step"} and name[: -len("_mean")] in f:
                curves.append(name[: -len("_mean")])
    if not curves:
        fail(2, "no aggregated rank-1 result over 'step' (train_loss, test_loss, ...)")
    by = default_by(f, by)
    curves.sort()
    ncol = min(3, len(curves))
    nrow = (len(curves) + ncol - 1) // ncol
    fig, axes = plt.subplots(nrow, ncol, figsize=(5 * ncol, 4 * nrow), squeeze=False)
    cmap = plt.get_cmap("viridis")
    counts, lost = [], 0
    for k, name in enumerate(curves):
        ax = axes[k // ncol, k % ncol]
        names = dim_names(g[f"{name}_mean"])
        steps = np.asarray(coord(f, "/aggregate", "step"), dtype=float)
        others = [n for n in names if n not in ("step", by)]
        # a colour per value of --by; a line style per combination of the rest
        order = ([by] if by in names else []) + others + ["step"]
        seeds, ndiv = seed_curves(f, name, order)
        seeds = seeds.reshape(-1, seeds.shape[-2], len(steps))
        ndiv = ndiv.reshape(-1)
        n = np.isfinite(seeds).sum(axis=1)              # seeds per cell and step
        with warnings.catch_warnings():                 # all-NaN cells and steps stay NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            m = np.nanmean(seeds, axis=1)
            # the band: the seeds' 25%-75% quantiles, never below the smallest
            # value (a loss band cannot go below 0, as mean - sd can)
            q25, q75 = np.nanquantile(seeds, [0.25, 0.75], axis=1)
        counts.append(n.max(axis=1))
        byvals = coord(f, "/aggregate", by) if by in names else [None]
        per_by = m.shape[0] // len(byvals)
        other_vals = [coord(f, "/aggregate", n) for n in others]
        order_s = np.argsort(steps, kind="stable")
        drawn_by = set()
        for r in range(m.shape[0]):
            b, o = divmod(r, per_by)
            if not np.isfinite(m[r]).any():
                continue                                # no seed left: no line, no legend entry
            c = cmap(0.9 * b / max(len(byvals) - 1, 1))
            ls, mk = line_style(o)
            if byvals[b] is not None and b not in drawn_by:   # the legend's colour key: solid, unmarked
                ax.plot([], [], "-", color=c, lw=2, label=f"{by} = {label(byvals[b])}")
                drawn_by.add(b)
            ax.plot(steps[order_s], m[r][order_s], ls=ls, marker=mk, markevery=max(len(steps) // 8, 1), ms=4,
                    color=c, lw=1.3)
            ok = (n[r] >= 2)[order_s]
            if ok.any():
                ax.fill_between(steps[order_s][ok], q25[r][order_s][ok], q75[r][order_s][ok], color=c, alpha=0.15, lw=0)
        lost += int((ndiv > 0).sum())
        if (ndiv > 0).any():
            ax.text(0.01, 0.01, f"{int(ndiv.sum())} diverged seed(s) left out of {int((ndiv > 0).sum())} of "
                    f"{m.shape[0]} cells", transform=ax.transAxes, fontsize=7, color="firebrick", va="bottom")
        if others:
            for o in range(per_by):
                sub, rest = [], o
                for nm, vals in reversed(list(zip(others, other_vals))):
                    rest, i = divmod(rest, len(vals))
                    sub.insert(0, f"{nm}={label(vals[i])}")
                if any(np.isfinite(m[b * per_by + o]).any() for b in range(len(byvals))):
                    ls, mk = line_style(o)
                    ax.plot([], [], ls=ls, marker=mk, color="grey", label=", ".join(sub))
        positive = np.isfinite(q25) & (q25 > 0)
        if positive.any() and np.all(q25[np.isfinite(q25)] > 0) and np.nanmax(q75) / np.nanmin(q25) > 100:
            ax.set_yscale("log")                        # losses spanning decades
        ax.set_xlabel("step")
        ax.set_ylabel(name.replace("_", " "))
        ax.set_title(f"{name}: mean over seeds", fontsize=10)
        ax.legend(fontsize=7)
    for k in range(len(curves), nrow * ncol):
        axes[k // ncol, k % ncol].axis("off")
    info = ("line: mean over the seeds done; band: the seeds' 25%-75% quantiles; diverged seeds left out of their "
            f"cell; {n_per_cell(np.concatenate([c.ravel() for c in counts]))}")
    return fig, [], info


def gradnoise_groups(f, name, by):
    """The fitted values of result `name` per value of `by` (or all in one
    group): (coordinate values, [1-D arrays]). Only fits that exist: the gni
    kind writes NaN where a statistic is undefined or was not measured (and
    after a blow-up), with bit 4 (the stable fit) of gradnoise_valid clear
    there (docs/gni.md). Those are masks, never values."""
    x, names = f[name][()], dim_names(f[name])
    ok = np.isfinite(x)
    if "gradnoise_valid" in f and f["gradnoise_valid"].shape == f[name].shape:
        valid = np.nan_to_num(f["gradnoise_valid"][()], nan=0).astype(np.int64)
        ok &= (valid & 4) != 0
    if by not in names:
        return ["all"], [x[ok]]
    k = names.index(by)
    x, ok = np.moveaxis(x, k, 0), np.moveaxis(ok, k, 0)
    return coord(f, "", by), [x[i][ok[i]] for i in range(x.shape[0])]


def gradnoise(f, plt, by):
    sets = [n for n in ("gradnoise_alpha", "gradnoise_beta") if n in f]
    if not sets:
        fail(2, "no gradnoise_alpha or gradnoise_beta result")
    by = default_by(f, by)
    fig, axes = plt.subplots(1, len(sets), figsize=(5 * len(sets), 4), squeeze=False)
    sizes = []
    for k, name in enumerate(sets):
        ax = axes[0, k]
        names = dim_names(f[name])
        vals, groups = gradnoise_groups(f, name, by)
        shown = [(label(v), gr) for v, gr in zip(vals, groups) if gr.size]
        if not shown:
            fail(2, f"{name} has no finite values")
        parts = ax.violinplot([gr for _, gr in shown], showmedians=True)
        for body in parts["bodies"]:
            body.set_alpha(0.5)
        ax.set_xticks(range(1, len(shown) + 1))
        ax.set_xticklabels([v for v, _ in shown])
        ax.set_xlabel(by if by in names else "")
        sym = "alpha" if name.endswith("alpha") else "beta"
        ax.set_ylabel(f"fitted {sym}")
        ax.set_title(f"gradient noise: fitted {sym} (all layers, steps, seeds)")
        sizes += [gr.size for _, gr in shown]
    info = ("violins: the fitted values' distribution, median marked; fits without gradnoise_valid bit 4 and "
            "missing values left out; " + n_range(sizes) + " fits per violin")
    return fig, [], info


def fig7_methods(f):
    """The task dimension that carries `objective` (and `noise`) and a label
    per index: baseline (no noise), noise (GNIs), explicit reg (L + R)."""
    if "objective" not in f:
        fail(2, "fig7 needs a gni store whose grid sets 'objective' (and 'noise'): jobs/fig7.yaml")
    dim = dim_names(f["objective"])[0]
    objs = coord(f, "", "objective")
    noises = coord(f, "", "noise") if "noise" in f and dim_names(f["noise"])[0] == dim else None
    labels = []
    for i, o in enumerate(objs):
        if o == "explicit_reg":
            labels.append("explicit reg (L + R)")
        elif noises is not None and noises[i] == "none":
            labels.append("baseline")
        else:
            labels.append(f"noise ({noises[i] if noises else 'GNI'})")
    return dim, labels


def fig7_values(f, name, dim, figure="fig7", keep=(1,)):
    """Result `name` as [method, replicate, ...]: tasks whose status is not
    in `keep` (1 done; 3 diverged, whose curves are NaN after the blow-up)
    masked as NaN, like the values never measured."""
    x, names = np.array(f[name][()], dtype=float), dim_names(f[name])
    st_names = dim_names(f["status"])
    st = np.transpose(f["status"][()], [st_names.index(n) for n in names if n in st_names])
    st = st.reshape(st.shape + (1,) * (x.ndim - st.ndim))
    x = np.where(np.isin(st, keep), x, np.nan)
    others = [n for n in names if n not in (dim, "replicate", "step")]
    if any(x.shape[names.index(n)] > 1 for n in others):
        fail(2, f"{figure}: {name} varies along {', '.join(others)} too; one store per setting")
    x = x[tuple(0 if n in others else slice(None) for n in names)]
    left = [n for n in names if n not in others]
    return np.transpose(x, [left.index(n) for n in [dim, "replicate"] + (["step"] if "step" in left else [])])


def fig7(f, plt):
    """The paper's figure 7 from one store: test loss (and accuracy) over
    steps per training method, mean +- 1 sd over seeds, and the final test
    loss of explicit reg minus noise, paired within each seed (same data and
    test set), with its t interval."""
    from scipy import stats

    dim, labels = fig7_methods(f)
    panels = [n for n in ("test_loss", "test_accuracy") if n in f]
    steps = np.asarray(coord(f, "", "step"))
    fig, axes = plt.subplots(1, len(panels) + 1, figsize=(5 * (len(panels) + 1), 4), squeeze=False)
    colours = {"baseline": "tab:grey", "explicit reg (L + R)": "tab:blue"}
    for k, name in enumerate(panels):
        ax = axes[0, k]
        x = fig7_values(f, name, dim)
        for m, lab in enumerate(labels):
            v = x[m]
            n = np.isfinite(v).sum(axis=0)
            with np.errstate(invalid="ignore"):
                mean = np.nanmean(np.where(n > 0, v, 0), axis=0)
                sd = np.nanstd(v, axis=0, ddof=1) if v.shape[0] > 1 else np.zeros_like(mean)
            mean = np.where(n > 0, mean, np.nan)
            c = colours.get(lab, "tab:red")
            ax.plot(steps, mean, color=c, lw=1.5, label=f"{lab} ({int(n.max()) if n.size else 0} seeds)")
            ok = np.isfinite(sd) & np.isfinite(mean)
            ax.fill_between(steps[ok], (mean - sd)[ok], (mean + sd)[ok], color=c, alpha=0.15, lw=0)
        ax.set_xlabel("step")
        ax.set_ylabel(name.replace("_", " "))
        ax.set_title(f"{name.replace('_', ' ')}: mean ± 1 sd over seeds", fontsize=10)
        ax.legend(fontsize=7)
    # final test loss per method, and the paired difference explicit reg - noise
    ax = axes[0, len(panels)]
    fin = fig7_values(f, "final_test_loss", dim)
    for m, lab in enumerate(labels):
        v = fin[m][np.isfinite(fin[m])]
        ax.plot(np.full(v.size, m), v, "o", color=colours.get(lab, "tab:red"), alpha=0.7)
    lines = []
    reg = [m for m, lab in enumerate(labels) if lab.startswith("explicit")]
    gni = [m for m, lab in enumerate(labels) if lab.startswith("noise")]
    base = [m for m, lab in enumerate(labels) if lab == "baseline"]
    for a, b, what in ((reg, gni, "R - noise"), (reg, base, "R - baseline"), (gni, base, "noise - baseline")):
        if not a or not b:
            continue
        d = fin[a[0]] - fin[b[0]]
        d = d[np.isfinite(d)]
        if d.size >= 2:
            half = stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size)
            lines.append(f"{what}: {d.mean():+.4f} ± {half:.4f} (95% t, {d.size} seeds, "
                         f"{int((d < 0).sum())} below 0)")
        elif d.size == 1:
            lines.append(f"{what}: {d[0]:+.4f} (1 seed)")
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, fontsize=7)
    ax.set_ylabel("final test loss")
    ax.set_title("final test loss per seed; paired differences", fontsize=10)
    ax.text(0.02, 0.98, "\n".join(lines) or "no pairs", transform=ax.transAxes, fontsize=7, va="top")
    per = np.isfinite(fin).sum(axis=1)
    info = (f"test loss{' and accuracy' if len(panels) > 1 else ''} over steps per training method "
            f"({', '.join(labels)}): mean ± 1 sd band over seeds, {n_per_cell(per)} (method); right: each seed's "
            "final test loss and the paired differences with 95% t intervals")
    return fig, [], info


def fig4_methods(f):
    """The task dimension that carries `mimic`, and a label per index: M = 1,
    M = 16, M = 16 + stable (clipped or not), + gaussian, + shuffled."""
    if "mimic" not in f or "M" not in f:
        fail(2, "fig4 needs a gni store whose grid sets 'mimic' and 'M': jobs/fig4.yaml")
    dim = dim_names(f["mimic"])[0]

    def along(name, default):
        if name in f and dim_names(f[name])[0] == dim:
            return coord(f, "", name)
        return None if default is None else [default] * len(coord(f, "", "mimic"))

    mims, Ms = coord(f, "", "mimic"), along("M", None)
    if Ms is None:
        fail(2, "fig4: 'M' must vary along the same (zipped) axis as 'mimic': jobs/fig4.yaml")
    trunc = along("mimic_truncate", 1)
    labels = []
    for m, M, t in zip(mims, Ms, trunc):
        if m == "none":
            labels.append(f"M = {int(M)}")
        elif m == "stable":
            labels.append(f"M = {int(M)} + stable " + ("(clipped)" if t else "(unclipped)"))
        else:
            labels.append(f"M = {int(M)} + {m}")
    if "M = 1" not in labels:
        fail(2, "fig4 needs a plain M = 1 training (mimic none) to compare against")
    return dim, labels


def fig4(f, plt):
    """The paper's figure 4 from one store: the training-loss curves (log10,
    mean over seeds) of M = 1, M = 16 and the mimics, and each seed's
    distance to M = 1 (the mean over logged steps after step 0 of
    |loss - loss(M = 1)|) for the stable (clipped) and Gaussian mimics, with
    their paired difference. A diverged training keeps its curve up to the
    blow-up and has no distance."""
    from scipy import stats

    dim, labels = fig4_methods(f)
    loss = fig7_values(f, "train_loss", dim, "fig4", keep=(1, 3))
    steps = np.asarray(coord(f, "", "step"), dtype=float)
    ref = labels.index("M = 1")
    with warnings.catch_warnings():   # a seed whose M = 1 run diverged at once: no distance
        warnings.simplefilter("ignore", RuntimeWarning)
        dist = np.nanmean(np.abs(loss[:, :, 1:] - loss[ref][None, :, 1:]), axis=2) if loss.shape[2] > 1 else \
            np.full(loss.shape[:2], np.nan)
    dist[~np.isfinite(loss[:, :, -1])] = np.nan
    fig, ax = plt.subplots(1, 2, figsize=(11, 4.4))
    colours = ["black", "tab:grey", "tab:purple", "tab:red", "tab:blue", "tab:green", "tab:orange"]
    for k, lab in enumerate(labels):
        with np.errstate(invalid="ignore", divide="ignore"):
            lg = np.log10(loss[k])
        whole = np.isfinite(lg).all(axis=0)   # steps every seed reached
        mean = np.where(whole, np.nanmean(np.where(np.isfinite(lg), lg, 0), axis=0), np.nan)
        diverged = int((~np.isfinite(loss[k][:, -1]) & np.isfinite(loss[k][:, 0])).sum())
        note = f" (diverged in {diverged} of {loss.shape[1]})" if diverged else ""
        ax[0].plot(steps, mean, color=colours[k % len(colours)], lw=1.4, label=lab + note)
    ax[0].set_xlabel("step")
    ax[0].set_ylabel("log10 train loss, mean over seeds")
    ax[0].set_title("training curves (drawn where every seed is finite)", fontsize=9)
    ax[0].legend(fontsize=7, loc="upper right")
    st = next((k for k, lab in enumerate(labels) if lab.endswith("stable (clipped)")), None)
    ga = next((k for k, lab in enumerate(labels) if lab.endswith("gaussian")), None)
    if st is not None and ga is not None:
        ok = np.isfinite(dist[st]) & np.isfinite(dist[ga]) & (dist[st] > 0) & (dist[ga] > 0)
        ax[1].loglog(dist[ga][ok], dist[st][ok], "o", color="tab:red")
        if ok.any():
            lo, hi = min(dist[st][ok].min(), dist[ga][ok].min()) / 1.5, max(dist[st][ok].max(), dist[ga][ok].max()) * 1.5
            ax[1].plot([lo, hi], [lo, hi], "k--", lw=0.8)
        d = (dist[st] - dist[ga])[ok]
        title = f"stable (clipped) - Gaussian: {d.size} seed(s)"
        if d.size >= 2:
            half = stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size)
            title = (f"stable (clipped) - Gaussian: {d.mean():+.4f} ± {half:.4f}\n(95% t, {d.size} seeds, "
                     f"{int((d < 0).sum())} below 0; below the diagonal: stable closer to M = 1)")
        ax[1].set_title(title, fontsize=8)
        ax[1].set_xlabel("Gaussian mimic: mean |loss - loss(M = 1)|")
        ax[1].set_ylabel("stable mimic (clipped): mean |loss - loss(M = 1)|")
    else:   # no pair to draw: each training's distance per seed
        for k, lab in enumerate(labels):
            v = dist[k][np.isfinite(dist[k])]
            ax[1].plot(np.full(v.size, k), v, "o", color=colours[k % len(colours)])
        ax[1].set_xticks(range(len(labels)))
        ax[1].set_xticklabels(labels, fontsize=6, rotation=20)
        ax[1].set_ylabel("mean |loss - loss(M = 1)| per seed")
    per = np.isfinite(loss[:, :, 0]).sum(axis=1)
    info = (f"training loss (log10) over steps of {', '.join(labels)}: mean over seeds, no band, {n_per_cell(per)} "
            "(training); right: each seed's mean distance to its own M = 1 curve, stable against Gaussian mimic")
    return fig, [], info


def metastability(f, plt):
    """The rate of eps^alpha tau, i.e. eps^-alpha exit_rate, against eps:
    Imkeller and Pavlyukevich's law says it tends to lambda = C_alpha
    [(1+theta)/2 d+^-alpha + (1-theta)/2 d-^-alpha] as eps -> 0, which is
    exit_rate_law / eps^alpha (drawn dashed, one level per curve). Reads the
    raw results (over replicates: the mean, with the standard error of the
    mean of the chains' ratio estimates); NaN rates (no time in a basin) are
    left out."""
    rate, names = f["exit_rate"][()], dim_names(f["exit_rate"])
    if "eps" not in names or names[-1] != "basin":
        fail(2, f"metastability needs exit_rate over eps and basin; it is over {names}")
    se, law = f["exit_rate_se"][()], f["exit_rate_law"][()]
    eps = np.asarray(coord(f, "", "eps"), dtype=float)
    alpha = np.asarray(f.attrs.get("alpha", np.nan), dtype=float)
    others = [n for n in names if n not in ("eps", "basin", "replicate", "coord")]
    order = ["eps"] + others + [n for n in ("replicate", "coord") if n in names] + ["basin"]

    def arrange(x):
        x = np.transpose(x, [names.index(n) for n in order])
        shape = (len(eps), int(np.prod([x.shape[1 + k] for k in range(len(others))], dtype=int)), -1, x.shape[-1])
        return x.reshape(shape)   # eps, curve, (replicate x coord), basin
    rate, se, law = arrange(rate), arrange(se), arrange(law)
    order_e = np.argsort(eps, kind="stable")   # the eps axis may be written in any order
    eps, rate, se, law = eps[order_e], rate[order_e], se[order_e], law[order_e]
    # each curve's alpha: from its axis, or the job's fixed value
    vals = [coord(f, "", n) for n in others]
    combos = list(np.ndindex(*[len(v) for v in vals]))
    labels = [", ".join(f"{n} = {label(v[i])}" for n, v, i in zip(others, vals, idx)) or "all" for idx in combos]
    alphas = np.array([float(vals[others.index("alpha")][idx[others.index("alpha")]]) if "alpha" in others
                       else float(alpha) for idx in combos])
    scale = eps[:, None] ** (-alphas[None, :])
    with np.errstate(invalid="ignore"):
        n = np.sum(np.isfinite(rate), axis=2)
        mean = np.nanmean(rate, axis=2) * scale[..., None]
        err = np.sqrt(np.nansum(se ** 2, axis=2)) / np.maximum(n, 1) * scale[..., None]
        limit = np.nanmean(law, axis=2) * scale[..., None]
    basins = coord(f, "", "basin") or list(range(rate.shape[-1]))
    fig, axes = plt.subplots(1, len(basins), figsize=(5.2 * len(basins), 4.2), squeeze=False)
    cmap = plt.get_cmap("viridis")
    for b, bv in enumerate(basins):
        ax = axes[0, b]
        for c in range(rate.shape[1]):
            col = cmap(0.9 * c / max(rate.shape[1] - 1, 1))
            ok = np.isfinite(mean[:, c, b])
            if not ok.any():
                continue
            ax.errorbar(eps[ok], mean[ok, c, b], yerr=err[ok, c, b], fmt="o-", color=col, ms=3, lw=1.2,
                        capsize=2, label=labels[c])
            lim = limit[:, c, b]
            if np.isfinite(lim).any() and np.nanmax(lim) > 0:
                ax.axhline(np.nanmean(lim), color=col, ls="--", lw=0.9)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(eps)
        ax.set_xticklabels([short(e) for e in eps])
        ax.minorticks_off()
        ax.set_xlabel("eps")
        ax.set_ylabel("eps^-alpha x exit_rate  (rate of eps^alpha tau)")
        ax.set_title(f"basin at {short(bv)}: measured (points), small-noise law (dashed)", fontsize=9)
    axes[0, -1].legend(fontsize=7)
    info = (f"points: mean over replicates; bars: its standard error; dashed: the small-noise law's limit; "
            f"n = {int(np.nanmax(n)) if n.size else 0} replicate x chain estimates per point")
    return fig, [], info


def gradnoise_pdf(f, plt):
    """The paper's figure 2 from the gni kind's gradnoise_raw (raw_steps):
    per raw step, the pdf of the positive per-weight noise values on log-log
    axes, against a half-normal and a half-Cauchy fitted to them by maximum
    likelihood (scipy.stats.halfnorm / halfcauchy, location 0). Seeds are
    pooled, each task's values divided by its median |value| first (the
    scale differs between seeds; the shape is what the figure compares);
    other axes are taken at their first value. NaN (padding, or not
    measured) is left out."""
    from scipy import stats

    raw, names = f["gradnoise_raw"], dim_names(f["gradnoise_raw"])
    x = np.array(raw[()], dtype=float)
    keep = [n for n in ("replicate", "raw_step", "raw_weight") if n in names]
    x, dropped = select(x, names, keep)
    if "replicate" not in keep:
        x = x[None]
    steps = coord(f, "", "raw_step") or list(range(x.shape[1]))
    fig, axes = plt.subplots(1, x.shape[1], figsize=(4.6 * x.shape[1], 4), squeeze=False)
    for k in range(x.shape[1]):
        ax = axes[0, k]
        pooled = []
        for v in x[:, k, :]:
            v = v[np.isfinite(v)]
            s = np.median(np.abs(v)) if v.size else 0
            if s > 0:
                pooled.append(v / s)
        if not pooled:
            ax.text(0.5, 0.5, "no values", transform=ax.transAxes, ha="center")
            continue
        v = np.concatenate(pooled)
        p = v[v > 0]
        if p.size < 10:
            ax.text(0.5, 0.5, "too few positive values", transform=ax.transAxes, ha="center")
            continue
        bins = np.geomspace(p.min(), p.max(), 40)
        dens, edges = np.histogram(p, bins=bins, density=True)
        mid = np.sqrt(edges[:-1] * edges[1:])
        ax.loglog(mid[dens > 0], dens[dens > 0], "o", ms=3.5, color="tab:blue", label=f"noise (> 0), n = {p.size}")
        grid = np.geomspace(p.min(), p.max(), 200)
        with warnings.catch_warnings():   # the fits' start values warn on heavy tails; the fits converge
            warnings.simplefilter("ignore", RuntimeWarning)
            _, sn = stats.halfnorm.fit(p, floc=0)
            _, sc = stats.halfcauchy.fit(p, floc=0)
        ax.loglog(grid, stats.halfnorm.pdf(grid, scale=sn), "-", color="tab:green", label="half-normal (MLE)")
        ax.loglog(grid, stats.halfcauchy.pdf(grid, scale=sc), "--", color="tab:red", label="half-Cauchy (MLE)")
        ax.set_ylim(max(dens[dens > 0].min() / 10, 1e-12), dens.max() * 10)
        ax.set_xlabel("noise value / median |value| (positive values)")
        ax.set_ylabel("pdf")
        ax.set_title(f"step {label(steps[k])}: skew {stats.skew(v):.2f}, excess kurtosis {stats.kurtosis(v):.1f}",
                     fontsize=9)
        ax.legend(fontsize=7)
    seeds = x.shape[0]
    info = (f"points: histogram density of the positive values (log bins), {seeds} seeds pooled, each task's values "
            "divided by its median |value|; lines: half-normal and half-Cauchy fitted by maximum likelihood")
    return fig, dropped, info


def fig3(data, plt):
    """The main paper's figure 3 from the numbers `tailsweep plot --figure
    fig3` computed in C (cmd_plot_fig3.c): per r, left the histogram of the
    draws with the sub-Weibull density and the MLE alpha-stable and Gaussian
    densities, right the same three in the upper tail on a log axis."""
    laws = data["laws"]
    fig, axes = plt.subplots(len(laws), 2, figsize=(9.6, 2.9 * len(laws)), squeeze=False)
    for k, law in enumerate(laws):
        r = law["r"]
        a, b, sc, loc = law["stable"]
        mu, sd = law["normal"]
        x = np.asarray(law["x"], dtype=float)
        samples = np.asarray(law["samples"], dtype=float)
        ax = axes[k, 0]
        inside = samples[(samples >= x[0]) & (samples <= x[-1])]
        # the histogram's density is over all draws: bins hold counts / (n width)
        counts, edges = np.histogram(inside, bins=60, range=(x[0], x[-1]))
        ax.stairs(counts / (samples.size * np.diff(edges)), edges, color="0.6", fill=True, alpha=0.45,
                  label=f"draws (n = {samples.size})")
        ax.plot(x, law["pdf_subweibull"], "k-", lw=1.6, label=f"sub-Weibull r = {r:g}")
        ax.plot(x, law["pdf_stable"], "--", color="tab:red", lw=1.5,
                label=f"MLE stable α = {a:.2f}, β = {b:.2f}")
        ax.plot(x, law["pdf_normal"], ":", color="tab:blue", lw=1.8, label=f"MLE Gaussian sd = {sd:.2f}")
        top = np.nanmax(np.asarray(law["pdf_subweibull"], dtype=float)[np.isfinite(law["pdf_subweibull"])])
        ax.set_ylim(0, 1.5 * min(top, 2 * np.nanmax(np.asarray(law["pdf_stable"], dtype=float))))
        ax.set_xlabel("x")
        ax.set_ylabel("pdf")
        ax.set_title(f"r = {r:g}: density", fontsize=10)
        ax.legend(fontsize=7)
        ax = axes[k, 1]
        xt = np.asarray(law["x_tail"], dtype=float)
        for key, style, col, name in (("tail_subweibull", "-", "k", "sub-Weibull"),
                                      ("tail_stable", "--", "tab:red", "MLE stable"),
                                      ("tail_normal", ":", "tab:blue", "MLE Gaussian")):
            y = np.asarray(law[key], dtype=float)
            ok = np.isfinite(y) & (y > 0)
            ax.semilogy(xt[ok], y[ok], style, color=col, lw=1.6, label=name)
        ref = np.asarray(law["tail_subweibull"], dtype=float)
        ax.set_ylim(max(np.nanmin(ref[ref > 0]) / 1e3, 1e-300), np.nanmax(ref) * 10)
        ax.set_xlabel(f"x (upper tail, from the 99th percentile)")
        ax.set_ylabel("pdf (log)")
        ax.set_title(f"r = {r:g}: upper tail", fontsize=10)
        ax.legend(fontsize=7)
    info = (f"symmetric sub-Weibull laws P(|X| > x) = exp(-x^(1/r)); n = {data['n']} draws per r, job seed "
            f"{data['seed']}; alpha-stable (S1) and Gaussian laws fitted to the draws by maximum likelihood; "
            "the fitted densities drawn, not the draws, in the tails")
    return fig, "the main paper's figure 3 (tailsweep plot --figure fig3)", info


def draw(f, plt, figure, store, by=None, value=None, x=None, y=None, at=None, diff=None):
    """Figure `figure` of the open store f, with its caption: a matplotlib
    Figure, or FigureError when the store lacks what it needs."""
    at = at or {}
    if figure in ("fig6", "shiftmap", "loss", "curve", "map") and "aggregate" not in f:
        fail(2, f"{store} has no /aggregate: run `tailsweep aggregate {store}` first")
    title_at = ""
    if figure == "fig6":
        fig, dropped, info = fig6(f, plt)
    elif figure == "shiftmap":
        fig, dropped, info = shiftmap(f, plt)
    elif figure in ("curve", "map"):
        if figure == "curve":
            fig, title_at, info = curve(f, plt, value, x, by, at, diff)
        else:
            fig, title_at, info = heatmap(f, plt, value, x, y, at, diff)
        dropped = []
    elif figure == "loss":
        fig, dropped, info = loss(f, plt, by)
    elif figure == "metastability":
        fig, dropped, info = metastability(f, plt)
    elif figure == "gradnoise_pdf":
        fig, dropped, info = gradnoise_pdf(f, plt)
    elif figure == "fig7":
        fig, dropped, info = fig7(f, plt)
    elif figure == "fig4":
        fig, dropped, info = fig4(f, plt)
    elif figure == "gradnoise":
        fig, dropped, info = gradnoise(f, plt, by)
    else:
        fail(2, f"unknown figure '{figure}'")
    add_caption(fig, job_line(f, store), info, title_at, dropped)
    return fig


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store")
    ap.add_argument("--figure", required=True,
                    choices=["fig6", "shiftmap", "loss", "gradnoise", "curve", "map", "metastability", "gradnoise_pdf",
                             "fig7", "fig4", "fig3"])
    ap.add_argument("-o", dest="out", required=True)
    ap.add_argument("--by")
    ap.add_argument("--value")
    ap.add_argument("--x")
    ap.add_argument("--y")
    # AXIS=INDEX: the C front end has matched each --at AXIS=VALUE to an index
    ap.add_argument("--at-index", action="append", default=[])
    # AXIS=INDEX: --diff-from AXIS=VALUE, matched likewise
    ap.add_argument("--diff-index")
    add_look_args(ap)
    ap.add_argument("--force", action="store_true")
    a = ap.parse_args()
    out_format(a.out)
    plt = start_matplotlib(a.style)
    import h5py

    if a.figure == "fig3":   # no store: the numbers computed by the C front end, as JSON
        import json

        try:
            with open(a.store) as fh:
                data = json.load(fh)
        except (OSError, ValueError) as e:
            fail(3, f"{a.store}: cannot read the figure's numbers: {e}")
        check_replace(a.out, "fig3", a.force)
        fig, job, info = fig3(data, plt)
        add_caption(fig, job, info)
        save(fig, a.out, a, "fig3")
        return 0
    try:
        f = h5py.File(a.store, "r")
    except OSError as e:
        fail(3, f"{a.store}: cannot open: {e}")
    with f:
        identity = f.attrs.get("job_identity", b"")
        identity = (identity.decode() if isinstance(identity, bytes) else str(identity)) or "unknown"
        check_replace(a.out, identity, a.force)
        if a.figure in ("curve", "map"):
            if not a.value or not a.x or (a.figure == "map" and not a.y):
                fail(2, f"--figure {a.figure} needs --value and --x" + (" and --y" if a.figure == "map" else ""))
        at = {}
        for item in a.at_index:
            n, _, i = item.partition("=")
            at[n] = int(i)
        diff = None
        if a.diff_index:
            n, _, i = a.diff_index.partition("=")
            diff = (n, int(i))
        fig = draw(f, plt, a.figure, a.store, by=a.by, value=a.value, x=a.x, y=a.y, at=at, diff=diff)
    save(fig, a.out, a, identity)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except FigureError as e:
        print(f"tailsweep plot: {e}", file=sys.stderr)
        sys.exit(e.code)
