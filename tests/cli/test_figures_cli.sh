#!/usr/bin/env bash
# tests/cli/test_figures_cli.sh WRITER: figures ready for a paper, and the
# HTML report (docs/aggregate.md, "Figures"):
#   - plot aggregates a store without /aggregate first, for every figure, as
#     aggregate would (and, like it, leaves a store a sweep holds alone);
#   - every figure in PNG, PDF and SVG, each checked valid and not blank
#     (PNG pixels; PDF structure; SVG parsed, and rendered by chromium);
#     --dpi, --width/--height and --style change what they say;
#   - the defects: curves sorted by x on an axis written out of order; a
#     diverged seed leaves its cell, not the whole curve, and the legend
#     lists only what is drawn; loss and density bands never below 0;
#     shift-map annotations at 9+ pixels, no "±0" from grid quantisation;
#     line styles that do not run out; a visible fig6 band; every figure's
#     caption names the job, the seeds, n per cell and the band;
#   - figure 3 (sub-Weibull draws with MLE fits) and figure 2
#     (gradnoise_pdf) in every format;
#   - `tailsweep report`: one self-contained page, never over an existing
#     file without --force, rendered by headless chromium with no network
#     and checked not blank.
#   TAILSWEEP=build/asan/tailsweep bash tests/cli/test_figures_cli.sh build/asan/oracle/agg_store_writer
WRITER=${1:-}
. "$(dirname "$0")/lib.sh"
[ -n "$WRITER" ] || WRITER=$repo/build/asan/oracle/agg_store_writer
case $WRITER in /*) ;; *) WRITER=$OLDPWD/$WRITER ;; esac
[ -x "$WRITER" ] || { fail writer "$WRITER missing"; exit 0; }

# valid FILE: a PNG with varied pixels, a PDF with a page and its end
# marker, or an SVG that parses with drawn paths; prints what it saw
valid() {
  "$PY" - "$1" <<'EOF'
import re, sys
import numpy as np
path = sys.argv[1]
data = open(path, "rb").read()
if path.endswith(".png"):
    import matplotlib.image as mpimg
    img = mpimg.imread(path)
    h, w = img.shape[:2]
    std = float(np.std(img[..., :3]))
    if not (200 <= w <= 6000 and 150 <= h <= 6000) or std < 0.02:
        sys.exit(f"{w}x{h}, pixel std {std:.3f}")
    print(f"PNG {w}x{h}, pixel std {std:.2f}")
elif path.endswith(".pdf"):
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-64:] or pages != 1 or len(data) < 5000:
        sys.exit(f"not a 1-page PDF: {data[:8]!r}, {pages} pages, {len(data)} bytes")
    print(f"PDF, 1 page, {len(data)} bytes")
elif path.endswith(".svg"):
    import xml.etree.ElementTree as ET
    root = ET.fromstring(data)
    paths = sum(1 for e in root.iter() if e.tag.endswith("path"))
    if not root.tag.endswith("svg") or paths < 20:
        sys.exit(f"root {root.tag}, {paths} paths")
    print(f"SVG, {paths} paths")
else:
    sys.exit("unknown format")
EOF
}

# the stores: a real tiny SDE sweep, a real tiny GNI run with raw noise
# values, the GNI-like store of WRITER (diverged and failed tasks), and a
# real tiny linear sweep whose B axis is written out of order
cat >sde.yaml <<'EOF'
kind: sde
store: sde.h5
seed: 3
replicates: 3
params: {potential: quartic, eta: 1.0e-3, steps: 4000, burnin: 500, chains: 8, scheme: implicit, grid_n: 64}
axes:
  alpha: [1.9, 1.3]
  theta: [-0.5, 0.5]
EOF
cat >gni.yaml <<'EOF'
kind: gni
store: gni.h5
seed: 7
replicates: 2
params: {depth: 2, width: 16, n_train: 64, n_test: 32, batch: 16, lr: 0.01, steps: 40, log_every: 20, M_prime: 8, gradnoise_source: batch, raw_layer: 1, raw_steps: "0,40", raw_max: 300}
axes:
  M: [1, 4]
EOF
cat >lin.yaml <<'EOF'
kind: linear
store: lin.h5
seed: 5
replicates: 2
params: {model: ls, n: 100, d: 2, n_test: 100, label_noise: 1, optimizer: sgd, steps: 1000, log_every: 500, burnin: 0, thin: 1, eta: 0.05}
axes:
  B: [4, 1, 2]
EOF
for j in sde gni lin; do
  # (a subshell: mpi_env turns leak checks off for Open MPI's sake; plot and
  # report run with them on)
  ( mpi_env; "$TAILSWEEP" run $j.yaml >/dev/null 2>"$W/err" ) || fail "tiny $j run" "$(cat "$W/err")"
done
"$WRITER" div.h5 || fail writer "agg_store_writer failed"

# --- plot aggregates first ------------------------------------------------------
has_agg() { "$PY" -c 'import h5py, sys; sys.exit("aggregate" not in h5py.File(sys.argv[1], "r"))' "$1"; }
# (the figures drawn from /aggregate; gradnoise, gradnoise_pdf and
# metastability read the raw results)
for fig in "sde.h5 fig6" "sde.h5 shiftmap" "gni.h5 loss" "div.h5 loss" "lin.h5 curve --value final_test_loss --x B"; do
  set -- $fig
  cp "$1" "first_$1"
  store=$1 name=$2; shift 2
  set -- "$store" "$name" "$@"
  run plot "first_$1" --figure "$2" "${@:3}" -o "first_${1%.h5}_$2.png"
  if [ $rc -eq 0 ] && grep -q "had no /aggregate: aggregated it first" "$W/err" && has_agg "first_$1" &&
     why=$(valid "first_${1%.h5}_$2.png" 2>&1); then pass "plot $2 on a store without /aggregate aggregates it first ($why)"
  else fail "plot $2 aggregates first" "rc=$rc $(cat "$W/err") ${why:-}"; fi
done
# it holds the lock aggregate holds: a store a sweep is writing is left alone
cp sde.h5 held.h5
before=$(md5sum held.h5)
( exec 9>held.h5.lock; flock -x 9; sleep 4 ) &
holder=$!
sleep 0.5
run plot held.h5 --figure fig6 -o held.png
if [ $rc -eq 3 ] && grep -q "sweep is running" "$W/err" && [ "$before" = "$(md5sum held.h5)" ] && [ ! -e held.png ]; then
  pass "plot on a store a sweep holds: exit 3, store untouched, no figure"
else fail "plot on a held store" "rc=$rc $(cat "$W/err")"; fi
wait "$holder"
"$TAILSWEEP" aggregate sde.h5 2>/dev/null
"$TAILSWEEP" aggregate gni.h5 2>/dev/null
"$TAILSWEEP" aggregate div.h5 2>/dev/null
"$TAILSWEEP" aggregate lin.h5 2>/dev/null

# --- formats and looks ----------------------------------------------------------
for fig in "sde.h5 fig6" "sde.h5 shiftmap" "gni.h5 loss" "gni.h5 gradnoise" "gni.h5 gradnoise_pdf" \
           "lin.h5 curve --value final_test_loss --x B"; do
  set -- $fig
  store=$1 name=$2; shift 2
  for ext in png pdf svg; do
    run plot "$store" --figure "$name" "$@" -o "$name.$ext"
    if [ $rc -eq 0 ] && why=$(valid "$name.$ext" 2>&1); then pass "plot $name -> $ext ($why)"
    else fail "plot $name -> $ext" "rc=$rc $(cat "$W/err") ${why:-}"; fi
  done
done
# --- an existing output: replaced only when it is a figure of the same job ------
for ext in png pdf svg; do
  run plot sde.h5 --figure fig6 -o "fig6.$ext"
  if [ $rc -eq 0 ] && why=$(valid "fig6.$ext" 2>&1); then pass "plot replaces its own figure of this job ($ext)"
  else fail "plot over its own $ext" "rc=$rc $(cat "$W/err") ${why:-}"; fi
done
echo "a user's notes" >notes.png
run plot sde.h5 --figure fig6 -o notes.png
if [ $rc -eq 3 ] && grep -q "is not a figure of this job" "$W/err" && [ "$(cat notes.png)" = "a user's notes" ]; then
  pass "plot over a user's file without --force: exit 3, the file untouched"
else fail "plot over a user's file" "rc=$rc $(cat "$W/err") $(head -c 40 notes.png)"; fi
before=$(md5sum fig6.pdf)
run plot gni.h5 --figure loss -o fig6.pdf
if [ $rc -eq 3 ] && grep -q "use --force" "$W/err" && [ "$before" = "$(md5sum fig6.pdf)" ]; then
  pass "plot over a figure of another job without --force: exit 3, the figure untouched"
else fail "plot over another job's figure" "rc=$rc $(cat "$W/err")"; fi
run plot sde.h5 --figure fig6 -o notes.png --force
if [ $rc -eq 0 ] && why=$(valid notes.png 2>&1); then pass "plot --force replaces any file ($why)"
else fail "plot --force" "rc=$rc $(cat "$W/err") ${why:-}"; fi
size() { "$PY" -c 'import matplotlib.image as m, sys; i = m.imread(sys.argv[1]); print(i.shape[1], i.shape[0])' "$1"; }
run plot sde.h5 --figure fig6 --dpi 50 -o d50.png
run plot sde.h5 --figure fig6 --dpi 150 -o d150.png
read -r w50 h50 < <(size d50.png 2>/dev/null)
read -r w150 h150 < <(size d150.png 2>/dev/null)
if [ -n "${w50:-}" ] && [ -n "${w150:-}" ] && [ $((w150 - 3 * w50)) -ge -3 ] && [ $((w150 - 3 * w50)) -le 3 ] &&
   [ $((h150 - 3 * h50)) -ge -3 ] && [ $((h150 - 3 * h50)) -le 3 ]; then
  pass "--dpi 150 draws 3 times the pixels of --dpi 50 (${w50}x${h50} -> ${w150}x${h150})"
else fail "--dpi" "${w50:-?}x${h50:-?} -> ${w150:-?}x${h150:-?}"; fi
run plot sde.h5 --figure fig6 --width 8 --height 3 --dpi 100 -o wh.png
read -r w h < <(size wh.png 2>/dev/null)
[ "${w:-}" = 800 ] && [ "${h:-}" = 300 ] && pass "--width 8 --height 3 at --dpi 100 -> 800x300 pixels" \
  || fail "--width/--height" "${w:-?}x${h:-?}"
run plot sde.h5 --figure fig6 --width 12 --dpi 100 -o w.png
read -r w h < <(size w.png 2>/dev/null)
read -r w0 h0 < <(size fig6.png 2>/dev/null)
if [ "${w:-}" = 1200 ] && [ -n "${h0:-}" ] && [ $((h * w0 - h0 * 1200)) -le $((3 * w0)) ] &&
   [ $((h0 * 1200 - h * w0)) -le $((3 * w0)) ]; then pass "--width alone keeps the figure's aspect (${w0}x${h0} -> ${w}x${h})"
else fail "--width alone" "${w0:-?}x${h0:-?} -> ${w:-?}x${h:-?}"; fi
# ggplot's grey panel (#E5E5E5) covers much of the styled figure, none of the default
grey() { "$PY" -c 'import matplotlib.image as m, numpy as np, sys
i = m.imread(sys.argv[1])[..., :3]
print(int(100 * np.mean(np.all(np.abs(i - 0xE5 / 255) < 0.01, axis=-1))))' "$1"; }
run plot sde.h5 --figure fig6 --style ggplot -o gg.png
g1=$(grey gg.png 2>/dev/null) g0=$(grey fig6.png 2>/dev/null)
lt "${g0:-x}" 5 && lt 30 "${g1:-x}" && pass "--style ggplot is applied (grey panel: ${g0}% of pixels -> ${g1}%)" \
  || fail "--style" "grey ${g0:-?}% -> ${g1:-?}%"
printf 'axes.facecolor: 0.2\n' >dark.mplstyle
run plot sde.h5 --figure fig6 --style ./dark.mplstyle -o dk.png
dk=$("$PY" -c 'import matplotlib.image as m, numpy as np, sys
i = m.imread(sys.argv[1])[..., :3]; print(int(100 * np.mean(np.all(np.abs(i - 0.2) < 0.01, axis=-1))))' dk.png 2>/dev/null)
lt 30 "${dk:-x}" && pass "--style FILE.mplstyle is applied (${dk}% dark panel)" || fail "--style file" "${dk:-?} rc=$rc $(cat "$W/err")"
expect "plot: -o .jpg -> 2" 2 "a .png, .pdf or .svg file" plot sde.h5 --figure fig6 -o x.jpg
expect "plot: --dpi 5 -> 2" 2 "--dpi 5: must be in 10..1200" plot sde.h5 --figure fig6 --dpi 5 -o x.png
expect "plot: --width 0 -> 2" 2 "--width 0" plot sde.h5 --figure fig6 --width 0 -o x.png
expect "plot: --height nan -> 2" 2 "--height" plot sde.h5 --figure fig6 --height nan -o x.png
expect "plot: an unknown --style -> 2, listing the styles" 2 "--style nope: no such style sheet.*ggplot" \
  plot sde.h5 --figure fig6 --style nope -o x.png
expect "plot: an unreadable --style file -> 2" 2 "cannot read that style file" \
  plot sde.h5 --figure fig6 --style ./no/such.mplstyle -o x.png

# --- the defects, on the figures' own artists -----------------------------------------
why=$("$PY" - "$repo/tools" <<'EOF' 2>&1
import re, sys, warnings
import h5py, numpy as np
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[1])
import plot_store as ps
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.collections import PolyCollection
problems, seen = [], []

def check(ok, what):
    (seen if ok else problems).append(what)

def caption(fig):   # the title block, its wrapping undone
    return " ".join(fig._suptitle.get_text().split())

def bands(fig):
    return [c for ax in fig.axes for c in ax.collections if isinstance(c, PolyCollection)]

def lines(fig):
    return [l for ax in fig.axes for l in ax.get_lines() if len(l.get_xdata()) > 1]

# curves sorted by x: lin.h5's B axis is written 4, 1, 2
with h5py.File("lin.h5", "r") as f:
    assert [float(v) for v in ps.coord(f, "/aggregate", "B")] == [4, 1, 2]
    fig = ps.draw(f, plt, "curve", "lin.h5", value="final_test_loss", x="B")
    xs = [np.asarray(l.get_xdata(), float) for l in lines(fig)]
    check(xs and all(np.all(np.diff(x) > 0) for x in xs), f"curve x sorted ({[list(x) for x in xs]})")
    # and the means follow their own coordinates: the point at B = 1 is aggregate's [1]
    m = f["aggregate/final_test_loss_mean"][()]
    y = np.asarray(lines(fig)[0].get_ydata(), float)
    check(np.allclose(y, m[[1, 2, 0]], rtol=0, atol=0, equal_nan=True), "curve values follow the sorted x")
    cap = caption(fig)
    check("lin.yaml" in cap and "job seed 5" in cap and "n = 2 seeds per cell" in cap and "Student-t interval" in cap,
          "curve caption: job, seed, n, band")
    plt.close(fig)

# a diverged seed drops out of its cell: div.h5 has diverged and failed tasks
with h5py.File("div.h5", "r") as f:
    fig = ps.draw(f, plt, "loss", "div.h5")
    raw = f["train_loss"][()]
    names = ps.dim_names(f["train_loss"])
    st = f["status"][()]
    stn = ps.dim_names(f["status"])
    st = np.transpose(st, [stn.index(n) for n in names if n in stn])[..., None]
    done = np.where(st == 1, raw, np.nan)             # [sigma2, M, optimizer, replicate, step]
    r = names.index("replicate")
    nd = np.isfinite(done).any(axis=-1).sum(axis=r)     # done seeds per cell
    ndiv = (st[..., 0] == 3).sum(axis=r)
    want = int((nd > 0).sum())
    ax = [a for a in fig.axes if a.get_ylabel() == "train loss"][0]
    drawn = [l for l in ax.get_lines() if len(l.get_xdata()) > 1]
    check(len(drawn) == want, f"loss: one line per cell with a done seed ({len(drawn)} drawn, {want} such cells)")
    check(((ndiv > 0) & (nd > 0)).any(), "div.h5 has cells with diverged and done seeds")
    # the lines' values: the mean over the done seeds only
    with warnings.catch_warnings():                       # cells without a done seed stay NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(done, axis=r)                  # [sigma2, M, optimizer, step]
    flat = [m for m in means.reshape(-1, means.shape[-1]) if np.isfinite(m).any()]
    got = sorted(tuple(np.round(np.asarray(l.get_ydata(), float), 12)) for l in drawn)
    wanted = sorted(tuple(np.round(m, 12)) for m in flat)
    check(np.allclose(np.array(got, float), np.array(wanted, float), equal_nan=True), "loss lines are the done seeds' means")
    # the legend lists a colour only if a line of that colour is drawn
    colours = {tuple(np.round(matplotlib.colors.to_rgba(l.get_color()), 6)) for l in drawn}
    leg = ax.get_legend()
    keys = [(t.get_text(), tuple(np.round(matplotlib.colors.to_rgba(h.get_color()), 6)))
            for t, h in zip(leg.get_texts(), getattr(leg, "legend_handles", None) or leg.legendHandles) if t.get_text().startswith("sigma2")]
    check(keys and all(c in colours for _, c in keys), f"legend colours all drawn ({[k for k, _ in keys]})")
    # bands: never below 0 (losses are >= 0)
    low = min(float(np.min(p.get_paths()[0].vertices[:, 1])) for p in bands(fig)) if bands(fig) else -1
    check(low >= 0, f"loss bands never below 0 (lowest {low:.3g})")
    cap = caption(fig)
    check("agg_test.yaml" in cap and "job seed 11" in cap and "seeds per cell" in cap and "25%-75%" in cap,
          "loss caption: job, seed, n, band")
    plt.close(fig)

# fig6: the band is drawn visibly (opaque enough, with edges) and cut at 0
with h5py.File("sde.h5", "r") as f:
    fig = ps.draw(f, plt, "fig6", "sde.h5")
    bs = bands(fig)
    check(bs and all(b.get_alpha() >= 0.3 and np.max(b.get_linewidths()) > 0 for b in bs), "fig6 band visible")
    check(min(float(np.min(b.get_paths()[0].vertices[:, 1])) for b in bs) >= 0, "fig6 band never below 0")
    cap = caption(fig)
    check("sde.yaml" in cap and "job seed 3" in cap and "n = 3 seeds per cell" in cap and "±1 sd" in cap,
          "fig6 caption")
    plt.close(fig)

# shiftmap: annotations of 9+ pixels at 100 dpi; a zero-width interval of a
# shift (seeds on one grid point) reads "±<grid step", never "±0"
import shutil
shutil.copy("sde.h5", "zero.h5")
with h5py.File("zero.h5", "a") as f:
    g = f["aggregate"]
    g["map_shift_left_ci_hi"][...] = g["map_shift_left"][()]
with h5py.File("zero.h5", "r") as f:
    fig = ps.draw(f, plt, "shiftmap", "zero.h5")
    texts = [t for ax in fig.axes for t in ax.texts]
    px = min(t.get_fontsize() for t in texts) * 100 / 72
    check(texts and px >= 9, f"shiftmap annotations {px:.1f} px tall at 100 dpi")
    zeros = [t.get_text() for t in texts if re.search(r"±0(?![.\d])", t.get_text())]
    check(not zeros, f"no ±0 ({zeros[:3]})")
    check(any("±<" in t.get_text() for t in texts), "grid-quantised shift reads ±<step")
    cap = caption(fig)
    check("n = 3 seeds per cell" in cap and "Student-t" in cap, "shiftmap caption")
    plt.close(fig)

# line styles: 24 distinct before any repeats (6 batch sizes x 4 styles ran out)
styles = [ps.line_style(k) for k in range(24)]
check(len(set(styles)) == 24, "24 distinct line styles")

# gradnoise and gradnoise_pdf captions
with h5py.File("gni.h5", "r") as f:
    for name in ("gradnoise", "gradnoise_pdf"):
        fig = ps.draw(f, plt, name, "gni.h5")
        cap = caption(fig)
        check("gni.yaml" in cap and "job seed 7" in cap and ("per violin" in cap or "seeds pooled" in cap),
              f"{name} caption")
        plt.close(fig)
if problems:
    sys.exit("; ".join(problems))
print(f"{len(seen)} checks")
EOF
) && pass "figure defects fixed: sorted curves, diverged seeds per cell with a matching legend, bands >= 0, legible shift maps without ±0, 24 line styles, visible fig6 band, captions ($why)" \
  || fail "figure defects" "$why"

# --- figure 3 and the sub-Weibull sampler's command line -----------------------------
for ext in png svg pdf; do
  run plot --figure fig3 --samples 400 --seed 2 -o "fig3.$ext"
  if [ $rc -eq 0 ] && why=$(valid "fig3.$ext" 2>&1) && ! ls "${TMPDIR:-/tmp}"/tailsweep-fig3-* >/dev/null 2>&1; then
    pass "plot --figure fig3 -> $ext ($why), its temporary numbers removed"
  else fail "plot fig3 $ext" "rc=$rc $(cat "$W/err") ${why:-}"; fi
done
expect "plot fig3 with a store -> 2" 2 "drawn from no store" plot sde.h5 --figure fig3 -o x.png
expect "plot fig6 without a store -> 2" 2 "expected a store path" plot --figure fig6 -o x.png
expect "plot fig3: --samples 10 -> 2" 2 "--samples 10: must be in 100..10^6" plot --figure fig3 --samples 10 -o x.png
expect "plot: --seed for a store's figure -> 2" 2 "belong to --figure fig3" plot sde.h5 --figure fig6 --seed 3 -o x.png
expect "sample --law subweibull without --r -> 2" 2 "needs --r" sample --law subweibull
expect "sample --law misspelt -> 2" 2 "did you mean subweibull" sample --law subweibul --r 1
expect "sample --law subweibull --alpha -> 2" 2 "--alpha belongs to --law stable" sample --law subweibull --r 1 --alpha 1
expect "sample --r for the stable law -> 2" 2 "--r belongs to --law subweibull" sample --alpha 1.5 --r 1
expect "sample --law subweibull --r 0 -> 2" 2 "r = 0" sample --law subweibull --r 0
run sample --law subweibull --r 2 --scale 1.5 -n 3 --seed 4
if [ $rc -eq 0 ] && [ "$(wc -l <"$W/out")" -eq 3 ] && "$PY" -c 'import sys, math
v = [float(x) for x in open(sys.argv[1])]; sys.exit(not all(math.isfinite(x) for x in v))' "$W/out"; then
  pass "sample --law subweibull -n 3 prints 3 draws"
else fail "sample --law subweibull" "rc=$rc $(cat "$W/out" "$W/err")"; fi

# --- the HTML report ----------------------------------------------------------------
cp sde.h5 rep.h5
"$PY" -c 'import h5py, sys
with h5py.File(sys.argv[1], "a") as f: del f["aggregate"]' rep.h5
run report rep.h5 -o report.html
if [ $rc -eq 0 ] && grep -q "aggregated it first" "$W/err" && [ -s report.html ]; then
  pass "report on a store without /aggregate aggregates it first and writes the page"
else fail "report" "rc=$rc $(cat "$W/err")"; fi
why=$("$PY" - report.html <<'EOF' 2>&1
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
imgs = re.findall(r'<img [^>]*src="([^"]*)"', page)
refs = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', page) + re.findall(r"url\(", page)
outside = [r for r in refs if not str(r).startswith("data:image/png;base64,")]
need = ["tailsweep report: sde.yaml", "<h2>Status</h2>", "12 tasks: <b>complete</b>", "<h2>Axes</h2>",
        "fig-fig6", "fig-shiftmap", "metastability: not drawn", "<h2>Statistics over seeds</h2>", 'id="stats-tv"',
        ">mean</th>", "kind = sde", 'id="fig-curve-tv"', 'id="fig-curve-w1"',
        "the same value in every cell, or no value (no curve): "]
missing = [n for n in need if n not in page]
# the kind's two figures, then a curve per scalar result that varies
curves = len(re.findall(r'<figure id="fig-curve-', page))
if len(imgs) != 2 + curves or curves < 2 or outside or missing or "http" in "".join(refs):
    sys.exit(f"{len(imgs)} images, outside references {outside[:3]}, missing {missing}")
print(f"{len(imgs)} embedded figures, {page.count('<table')} tables, {len(page)} bytes, no outside reference")
EOF
) && pass "report: job, status, axes, the kind's figures embedded, seed statistics tables, nothing outside ($why)" \
  || fail "report page" "$why"
before=$(md5sum report.html)
expect "report over an existing page without --force -> 3" 3 "exists; --force replaces it" report rep.h5 -o report.html
[ -s report.html ] && [ "$before" = "$(md5sum report.html)" ] && pass "the existing page was not touched" \
  || fail "report overwrite" "page changed or missing"
echo "not a report" >old.html
run report rep.h5 -o old.html --force
[ $rc -eq 0 ] && grep -q "tailsweep report: sde.yaml" old.html && pass "report --force replaces an existing page" \
  || fail "report --force" "rc=$rc $(cat "$W/err")"
expect "report: -o not .html -> 2" 2 "an .html file" report rep.h5 -o r.txt
expect "report: missing store -> 3" 3 "nope.h5" report nope.h5 -o n.html
run report gni.h5 -o gni.html
if [ $rc -eq 0 ] && [ "$(grep -o '<figure id="fig-\(loss\|gradnoise\|gradnoise_pdf\)"><img ' gni.html | wc -l)" -eq 3 ] \
   && grep -q '<figure id="fig-curve-final_test_loss"><img ' gni.html; then
  pass "report of a gni store embeds loss, gradnoise, gradnoise_pdf and the curve of final_test_loss"
else fail "report gni" "rc=$rc $(grep -o '<figure id="[^"]*"' gni.html 2>/dev/null | tr '\n' ' ') $(cat "$W/err")"; fi
# a linear store: no figure of its kind, so its results are seen as curves
# over B (with x sorted: B is written 4, 1, 2)
run report lin.h5 -o lin.html
if [ $rc -eq 0 ] && grep -q '<figure id="fig-curve-tail_index_hill"><img ' lin.html \
   && grep -q '<figure id="fig-curve-final_test_loss"><img ' lin.html && grep -q '<figure id="fig-loss"><img ' lin.html; then
  pass "report of a linear store embeds loss and a curve per result over B (tail_index_hill, final_test_loss, ...)"
else fail "report linear" "rc=$rc $(grep -o '<figure id="[^"]*"' lin.html 2>/dev/null | tr '\n' ' ') $(cat "$W/err")"; fi

# In headless chromium, cut off from any network (a network namespace of its
# own when one can be made; a proxy that refuses and a resolver that finds
# nothing in any case): the page renders, not blank, its figures decoded
# (a figure's colours: many pixels far from grey).
CHROMIUM=$(command -v chromium || true)
render() {   # render PAGE SHOT
  local net=()
  unshare -n true 2>/dev/null && net=(unshare -n)
  timeout 120 "${net[@]}" "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --proxy-server=127.0.0.1:9 --host-resolver-rules="MAP * ~NOTFOUND" --user-data-dir="$W/chrome" \
    --window-size=1200,2400 --screenshot="$2" "file://$PWD/$1" >"$W/chrome.log" 2>&1
}
if [ -z "$CHROMIUM" ]; then fail "report in chromium" "chromium is not installed (scripts/install-deps.sh)"
else
  rm -f shot.png
  render report.html shot.png
  why=$("$PY" - shot.png <<'EOF' 2>&1
import sys
import numpy as np
import matplotlib.image as mpimg
img = mpimg.imread(sys.argv[1])[..., :3]
h, w = img.shape[:2]
std = float(np.std(img))
colourful = float(np.mean(img.max(axis=-1) - img.min(axis=-1) > 0.3))
if (w, h) != (1200, 2400) or std < 0.05 or colourful < 0.01:
    sys.exit(f"{w}x{h}, std {std:.3f}, colourful {100 * colourful:.2f}%")
print(f"{w}x{h}, std {std:.2f}, {100 * colourful:.1f}% colourful pixels")
EOF
  ) && pass "report renders in headless chromium with no network, not blank, figures shown ($why)" \
    || fail "report in chromium" "$why $(tail -3 "$W/chrome.log")"
  # an SVG figure renders too
  printf '<!DOCTYPE html><html><body style="margin:0"><img src="shiftmap.svg" width="1200"></body></html>' >svg.html
  rm -f svgshot.png
  render svg.html svgshot.png
  why=$("$PY" -c 'import sys, numpy as np, matplotlib.image as m
i = m.imread(sys.argv[1])[..., :3]; s = float(np.std(i)); c = float(np.mean(i.max(-1) - i.min(-1) > 0.3))
sys.exit(f"std {s:.3f} colourful {c:.3f}") if s < 0.05 or c < 0.02 else print(f"std {s:.2f}, {100 * c:.0f}% colourful")' svgshot.png 2>&1) \
    && pass "an SVG figure renders in chromium, not blank ($why)" || fail "SVG in chromium" "$why"
fi
exit 0
