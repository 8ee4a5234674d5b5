"""tests/oracle/mlp_torch.py DRIVER: the GNI network (ts_mlp.h) against PyTorch.

    /usr/bin/python3 tests/oracle/mlp_torch.py build/asan/oracle/mlp_driver

For each configuration the C driver prints the weights, the batch, the
noise blocks it drew, its loss, its gradient and (MSE) the explicit
regulariser. torch rebuilds the same network in float64 from those weights
and noise (torch.nn.functional.linear, elu, relu, tanh, cross_entropy), and
its autograd recomputes the loss and gradient of
    (1/M) sum_m L~(B; w, e_m),  L~ = batch mean of 0.5 ||out - y||^2 or of -log softmax_y,
with h~ = h + s e (additive) or h (1 + s e) (multiplicative), s the float
sigma the C side used, noise on the input (optional) and hidden layers only.
The explicit regulariser (sigma2/2) sum_sites batch-mean ||d out / d h_site||_F^2
(multiplicative: columns scaled by h) comes from torch.autograd.functional.jacobian.

Tolerances: the C side is float32, torch float64. Loss: 1e-5 relative.
Gradient: 1e-4 of the largest component plus 1e-4 relative per component
(float32 sums of up to 64 terms over 3 layers stay near 1e-6 relative; any
wrong term moves components by percent). Regulariser: 1e-4 relative.
Prints one PASS:/FAIL: line per check; exits 1 if any failed.
"""
import subprocess
import sys

from oracle_report import Report

try:
    import torch
except ImportError as e:
    print(f"FAIL: mlp torch: import: {e}")
    sys.exit(1)

torch.set_default_dtype(torch.float64)
F = torch.nn.functional

# (act, loss, noise, sigma2, on_input, M, B, seed, n_in, n_out, widths)
CONFIGS = [
    ("relu", "mse", "add", 0.3, 1, 3, 7, 1, 3, 2, [16, 8]),
    ("elu", "xent", "mult", 0.2, 0, 4, 6, 2, 5, 4, [12, 12]),
    ("tanh", "mse", "none", 0.0, 0, 2, 9, 3, 2, 3, [10]),
    ("elu", "mse", "add", 0.1, 1, 2, 8, 4, 1, 1, [32, 32, 32, 32]),
    ("tanh", "xent", "add", 0.5, 1, 2, 5, 5, 4, 3, []),
    ("relu", "xent", "mult", 0.1, 1, 8, 4, 6, 6, 10, [20, 20]),
    ("elu", "mse", "mult", 0.3, 1, 1, 10, 7, 3, 2, [9, 7, 5]),
    # more stacked rows than one 256-row chunk of the C pass
    ("elu", "xent", "mult", 0.2, 0, 5, 70, 8, 4, 3, [16, 16]),
    ("tanh", "mse", "add", 0.2, 1, 3, 100, 9, 2, 2, [8, 8]),
]


def parse(out):
    d = {}
    for line in out.splitlines():
        parts = line.split()
        d[parts[0]] = parts[2:] if parts[0] != "shape" else parts[1:]
    return d


def layout(n_in, n_out, widths):
    """(rows, cols, off_w, off_b) per weight layer, as ts_mlp.h lays them out."""
    dims = [n_in] + widths + [n_out]
    off, lay = 0, []
    for a, b in zip(dims[:-1], dims[1:]):
        lay.append((b, a, off, off + a * b))
        off += a * b + b
    return lay, off


ACT = {"relu": F.relu, "elu": F.elu, "tanh": torch.tanh}


def forward(ws, bs, x_stacked, noise, act, ntype, s, on_input, perturb=None):
    """Output of the stacked rows; perturb[site] is added after injection."""
    h = x_stacked
    for l, (W, b) in enumerate(zip(ws, bs)):
        if ntype != "none" and s > 0 and (l > 0 or on_input):
            e = noise[l]
            h = h + s * e if ntype == "add" else h * (1 + s * e)
        if perturb is not None and l in perturb:
            h = h + perturb[l]
        h = F.linear(h, W, b)
        if l + 1 < len(ws):
            h = ACT[act](h)
    return h


def check(driver, cfg, rep):
    act, loss, ntype, sigma2, on_input, M, B, seed, n_in, n_out, widths = cfg
    name = f"mlp torch {act} {loss} {ntype} s2={sigma2} input={on_input} M={M} widths={widths}"
    args = [driver, act, loss, ntype, repr(sigma2), str(on_input), str(M), str(B), str(seed),
            str(n_in), str(n_out)] + [str(w) for w in widths]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        rep.check(name, False, f"driver exit {r.returncode}: {r.stderr.strip()}")
        return
    d = parse(r.stdout)
    lay, n_params = layout(n_in, n_out, widths)
    p = torch.tensor([float(v) for v in d["params"]])
    if p.numel() != n_params:
        rep.check(name, False, f"{p.numel()} params, expected {n_params}")
        return
    ws = [p[ow:ow + rows * cols].reshape(rows, cols).clone().requires_grad_(True) for rows, cols, ow, ob in lay]
    bs = [p[ob:ob + rows].clone().requires_grad_(True) for rows, cols, ow, ob in lay]
    x = torch.tensor([float(v) for v in d["x"]]).reshape(B, n_in)
    xs = x.repeat(M, 1)   # row m B + i = copy m of example i
    site_w = [n_in] + widths
    noise = []
    for s_i, w in enumerate(site_w):
        vals = d[f"site{s_i}"]
        noise.append(torch.tensor([float(v) for v in vals]).reshape(B * M, w) if vals else None)
    s = float(d["sigma"][0])
    out = forward(ws, bs, xs, noise, act, ntype, s, on_input)
    if loss == "mse":
        y = torch.tensor([float(v) for v in d["y"]]).reshape(B, n_out).repeat(M, 1)
        L = 0.5 * ((out - y) ** 2).sum(1).mean()
    else:
        lab = torch.tensor([int(v) for v in d["label"]]).repeat(M)
        L = F.cross_entropy(out, lab)
    L.backward()
    g_t = torch.cat([t for pair in zip(ws, bs) for t in (pair[0].grad.reshape(-1), pair[1].grad)])
    g_c = torch.tensor([float(v) for v in d["grad"]])
    L_c = float(d["loss"][0])
    ok_loss = abs(L_c - L.item()) <= 1e-5 * abs(L.item())
    gmax = g_t.abs().max().item()
    err = (g_c - g_t).abs()
    tol = 1e-4 * gmax + 1e-4 * g_t.abs()
    worst = (err / (gmax if gmax > 0 else 1)).max().item()
    ok_grad = bool((err <= tol).all()) and gmax > 1e-4
    rep.check(name, ok_loss and ok_grad,
              f"loss {L_c!r} vs torch {L.item()!r}; worst gradient error {worst:.3g} of max {gmax:.3g}")
    if loss != "mse":
        return
    # explicit regulariser at the clean pass, from torch's Jacobians
    wsd = [w.detach() for w in ws]
    bsd = [b.detach() for b in bs]
    total = 0.0
    if ntype != "none" and sigma2 > 0:
        # clean activations at each site (what the injection would perturb)
        hs, h = [], x
        for l, (W, b) in enumerate(zip(wsd, bsd)):
            hs.append(h)
            h = F.linear(h, W, b)
            if l + 1 < len(wsd):
                h = ACT[act](h)
        for site in range(len(site_w)):
            if site == 0 and not on_input:
                continue
            def f(delta, site=site):
                return forward(wsd, bsd, x, noise, act, "none", 0.0, 0, perturb={site: delta})
            J = torch.autograd.functional.jacobian(f, torch.zeros(B, site_w[site]))  # B x out x B x w
            for i in range(B):
                Ji = J[i, :, i, :]
                if ntype == "mult":
                    Ji = Ji * hs[site][i]
                total += (Ji ** 2).sum().item()
    reg_t = 0.5 * sigma2 * total / B
    reg_c = float(d["reg"][0])
    ok = abs(reg_c - reg_t) <= 1e-4 * abs(reg_t) if reg_t != 0 else reg_c == 0.0
    rep.check(name + " explicit reg", ok, f"C {reg_c!r} vs torch {reg_t!r}")


def main():
    if len(sys.argv) != 2:
        print("usage: mlp_torch.py MLP_DRIVER", file=sys.stderr)
        return 2
    rep = Report()
    for cfg in CONFIGS:
        check(sys.argv[1], cfg, rep)
    return rep.exit_code()


if __name__ == "__main__":
    sys.exit(main())
