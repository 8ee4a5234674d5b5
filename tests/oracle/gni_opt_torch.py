"""tests/oracle/gni_opt_torch.py DRIVER: the gni kind's optimisers
(ts_gni_opt_grad: SGD, Noisy-SGD, DP-SGD) against PyTorch.

    /usr/bin/python3 tests/oracle/gni_opt_torch.py build/asan/oracle/gni_opt_driver

The C driver prints a network's weights, a batch, and for each of a few
steps the Gaussian draws z it used, its step direction and loss, then the
weights after the steps. torch rebuilds the network in float64 and takes
the same steps with the same z:
  sgd        g = grad of the batch-mean loss;
  noisy_sgd  g + std z;
  dp_sgd     (1/B) (sum_i g_i min(1, C / ||g_i||) + mult C z), g_i each
             example's gradient from its own autograd pass (Abadi et al.
             2016, the reference algorithm of Opacus);
then w <- w - lr g. Checked: every step's direction against torch's at the
C side's current weights (1e-4 of the largest component plus 1e-4
relative: float32 passes, sums over <= 64 examples), the loss (1e-5
relative), and the final weights after all the steps against torch's own
trajectory (1e-5 of the largest weight). Configurations make the clip bind
for some examples and not others, so a wrong norm (per layer instead of
over all parameters) or a missing 1/B moves the result by percent.
"""
import subprocess
import sys

from oracle_report import Report

try:
    import torch
except ImportError as e:
    print(f"FAIL: gni opt torch: import: {e}")
    sys.exit(1)

torch.set_default_dtype(torch.float64)
F = torch.nn.functional
ACT = {"relu": F.relu, "elu": F.elu, "tanh": torch.tanh}

# (opt, act, loss, B, steps, lr, std, clip, mult, seed, n_in, n_out, widths)
CONFIGS = [
    ("sgd", "elu", "xent", 16, 3, 0.1, 0, 1, 1, 1, 5, 4, [12, 8]),
    ("noisy_sgd", "relu", "xent", 12, 3, 0.05, 0.2, 1, 1, 2, 6, 3, [10]),
    ("noisy_sgd", "tanh", "mse", 9, 3, 0.05, 0.05, 1, 1, 3, 3, 2, [8, 8]),
    ("dp_sgd", "elu", "xent", 16, 3, 0.1, 0, 2.5, 1.3, 4, 5, 4, [12, 8]),
    ("dp_sgd", "relu", "xent", 32, 3, 0.2, 0, 2.5, 0.5, 5, 7, 10, [16, 16]),
    ("dp_sgd", "tanh", "mse", 10, 3, 0.05, 0, 1.5, 2.0, 6, 4, 2, [6]),
    ("dp_sgd", "elu", "mse", 8, 2, 0.05, 0, 1e6, 0.0, 7, 3, 1, [5, 5, 5]),   # clip never binds, no noise: SGD
]


def parse(out):
    d = {}
    for line in out.splitlines():
        parts = line.split()
        d[parts[0]] = parts[2:]
    return d


def unpack(p, n_in, n_out, widths):
    dims = [n_in] + widths + [n_out]
    off, ws, bs = 0, [], []
    for a, b in zip(dims[:-1], dims[1:]):
        ws.append(p[off:off + a * b].reshape(b, a).clone().requires_grad_(True))
        bs.append(p[off + a * b:off + a * b + b].clone().requires_grad_(True))
        off += a * b + b
    return ws, bs


def flat(ws, bs):
    return torch.cat([t for pair in zip(ws, bs) for t in (pair[0].reshape(-1), pair[1])])


def losses(ws, bs, x, target, act, loss):
    """Per-example losses of the clean network."""
    h = x
    for l, (W, b) in enumerate(zip(ws, bs)):
        h = F.linear(h, W, b)
        if l + 1 < len(ws):
            h = ACT[act](h)
    if loss == "mse":
        return 0.5 * ((h - target) ** 2).sum(1)
    return F.cross_entropy(h, target, reduction="none")


def direction(p, x, target, cfg, z):
    opt, act, loss, B, steps, lr, std, clip, mult, seed, n_in, n_out, widths = cfg
    ws, bs = unpack(p, n_in, n_out, widths)
    params = [t for pair in zip(ws, bs) for t in pair]
    li = losses(ws, bs, x, target, act, loss)
    if opt != "dp_sgd":
        g = torch.cat([t.reshape(-1) for t in torch.autograd.grad(li.mean(), params)])
        return (g + std * z if opt == "noisy_sgd" else g), li.mean().item(), 0
    total, clipped = torch.zeros(p.numel()), 0
    for i in range(B):
        gi = torch.cat([t.reshape(-1) for t in torch.autograd.grad(li[i], params, retain_graph=True)])
        norm = gi.norm().item()
        clipped += norm > clip
        total += gi * min(1.0, clip / norm)
    return (total + mult * clip * z) / B, li.mean().item(), clipped


def check(driver, cfg, rep):
    opt, act, loss, B, steps, lr, std, clip, mult, seed, n_in, n_out, widths = cfg
    name = f"gni opt torch {opt} {act} {loss} B={B} clip={clip} mult={mult} std={std} widths={widths}"
    args = [driver, opt, act, loss, str(B), str(steps), repr(lr), repr(std), repr(clip), repr(mult), str(seed),
            str(n_in), str(n_out)] + [str(w) for w in widths]
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        rep.check(name, False, f"driver exit {r.returncode}: {r.stderr.strip()}")
        return
    d = parse(r.stdout)
    tens = lambda k: torch.tensor([float(v) for v in d[k]])
    x = tens("x").reshape(B, n_in)
    target = tens("y").reshape(B, n_out) if loss == "mse" else torch.tensor([int(v) for v in d["label"]])
    p_c = tens("params")      # the C side's weights, step by step (float32 values)
    p_t = p_c.clone()         # torch's own trajectory, in float64
    worst, ok, clipped = 0.0, True, 0
    for k in range(steps):
        z = tens(f"z{k}")
        g_t, L_t, nclip = direction(p_c, x, target, cfg, z)
        clipped += nclip
        g_c = tens(f"grad{k}")
        gmax = g_t.abs().max().item()
        err = (g_c - g_t).abs()
        ok &= bool((err <= 1e-4 * gmax + 1e-4 * g_t.abs()).all()) and gmax > 1e-6
        worst = max(worst, (err.max() / gmax).item())
        L_c = float(d[f"loss{k}"][0])
        ok &= abs(L_c - L_t) <= 1e-5 * abs(L_t)
        p_c = (p_c - torch.tensor(lr, dtype=torch.float32).item() * g_c)   # the C step, replayed
        g_own, _, _ = direction(p_t, x, target, cfg, z)
        p_t = p_t - lr * g_own
    fin = tens("final")
    wmax = fin.abs().max().item()
    drift = (fin - p_t).abs().max().item() / wmax
    ok &= drift <= 1e-5
    if opt == "dp_sgd" and clip < 1e3:
        ok &= 0 < clipped < B * steps   # the clip binds for some examples, not all
    rep.check(name, ok, f"worst direction error {worst:.3g} of max; final weights {drift:.3g} of max; "
                        f"{clipped} of {B * steps} per-example gradients clipped")


def main():
    if len(sys.argv) != 2:
        print("usage: gni_opt_torch.py GNI_OPT_DRIVER", file=sys.stderr)
        return 2
    rep = Report()
    for cfg in CONFIGS:
        check(sys.argv[1], cfg, rep)
    return rep.exit_code()


if __name__ == "__main__":
    sys.exit(main())
