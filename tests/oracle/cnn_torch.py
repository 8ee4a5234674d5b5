"""tests/oracle/cnn_torch.py DRIVER: the GNI convolutional network (ts_cnn.h) against PyTorch.

    /usr/bin/python3 tests/oracle/cnn_torch.py build/asan/oracle/cnn_driver

For each configuration the C driver prints the weights, the batch, the
noise blocks it drew, its loss and its gradient. torch rebuilds the same
network in float64 from those weights and noise (conv2d with the "same"
zero padding split left (k-1)//2 and right the rest, bias, max_pool2d 2x2,
the activation, the injection; flatten in (H, W, C) order; linear layers),
and its autograd recomputes the loss and gradient of
    (1/M) sum_m L~(B; w, e_m),  L~ = batch mean of 0.5 ||out - y||^2 or of -log softmax_y,
with h~ = h + s e (additive) or h (1 + s e) (multiplicative), s the float
sigma the C side used. The C side adds the bias after pooling, which is the
same function (max(z + b) = max(z) + b).

Tied maxima: with ZEROS the top half of every image is 0, so the first
convolution's output is exactly tied across whole 2 x 2 windows there (C:
0; torch: the bias). torch sends a tied window's gradient to its first
maximum in row-major order; the check passes only if oneDNN does too.

The explicit regulariser: at the same weights, without noise, torch
computes R = (sigma2/2) (1/B) sum_i sum_sites sum_u w_u J_u^T H J_u from
its own Jacobians (autograd.grad with create_graph; w_u = 1 or h_u^2, H = I
for MSE, diag(p) - p p^T for cross-entropy) and the gradient of L + R by
double backward, against ts_cnn_reg_loss_grad.

Tolerances: float32 against float64. Loss: 1e-5 relative. Gradient: 1e-4 of
the largest component plus 1e-4 relative per component (a convolution's
weight gradient sums a few thousand float products: ~1e-6 relative; any
wrong term, a mis-routed pooling gradient or a transposed kernel moves
components by percent). R: 1e-4 relative; its gradient as the loss's.
Prints one PASS:/FAIL: line per check; exits 1 if any failed.
"""
import subprocess
import sys

from oracle_report import Report
from mlp_torch import ACT, parse   # the drivers' line format, the activations

try:
    import torch
except ImportError as e:
    print(f"FAIL: cnn torch: import: {e}")
    sys.exit(1)

torch.set_default_dtype(torch.float64)
F = torch.nn.functional

# (act, loss, noise, sigma2, on_input, M, B, seed, (H, W, C), kernel, conv, n_out, zeros, widths)
CONFIGS = [
    ("elu", "xent", "add", 0.1, 1, 2, 5, 1, (8, 8, 1), 3, "4,6", 10, 0, [16]),
    ("relu", "xent", "mult", 0.2, 0, 3, 4, 2, (6, 6, 3), 3, "5", 4, 0, []),
    # even kernel (asymmetric padding), odd image sizes (pooling drops the edge)
    ("tanh", "mse", "add", 0.3, 1, 1, 6, 3, (7, 9, 2), 2, "3,4", 2, 0, [8, 8]),
    # exact ties in the first pooling (no input noise, zero half-images)
    ("relu", "xent", "add", 0.1, 0, 2, 3, 4, (8, 8, 1), 3, "4,4", 3, 1, [6]),
    ("elu", "xent", "mult", 0.1, 0, 1, 4, 10, (8, 8, 2), 3, "4", 3, 1, []),
    # more images than one 64-image chunk, noise-free, with ties
    ("elu", "xent", "none", 0.0, 0, 1, 70, 5, (6, 6, 1), 3, "3", 3, 1, [5]),
    # ties in the first block's pooling under the regulariser's input site (clean x)
    ("elu", "xent", "mult", 0.2, 1, 1, 4, 12, (8, 8, 1), 3, "4", 3, 1, [6]),
    # the regulariser over two chunks, with ties
    ("relu", "xent", "add", 0.1, 0, 1, 70, 11, (6, 6, 1), 3, "3", 3, 1, [5]),
    # a chunk boundary inside a copy of the batch (M B = 90)
    ("elu", "mse", "mult", 0.2, 1, 3, 30, 6, (6, 6, 2), 5, "3,2", 2, 0, [4]),
    # Fashion-MNIST's shape
    ("elu", "xent", "add", 0.1, 1, 2, 3, 7, (28, 28, 1), 3, "8,16", 10, 0, [32]),
    # CIFAR-10's and SVHN's shape, three colour channels: the first kernels
    # mix the channels of an (H, W, C) input
    ("relu", "xent", "add", 0.1, 1, 2, 3, 13, (32, 32, 3), 3, "8,16", 10, 0, [32]),
    ("elu", "xent", "mult", 0.1, 1, 1, 2, 14, (32, 32, 3), 5, "6", 10, 0, []),
    # no convolutions: the dense network the explicit_reg objective trains the MLP with
    ("elu", "xent", "add", 0.1, 1, 1, 6, 8, (1, 1, 5), 3, "-", 4, 0, [12, 12]),
    ("tanh", "mse", "mult", 0.2, 0, 1, 5, 9, (1, 1, 3), 3, "-", 2, 0, [10, 8, 6]),
]

def floats(d, key):
    return torch.tensor([float(v) for v in d[key]])


def shapes(hwc, k, conv, n_out, widths):
    """Weight layers (kind, weight shape, bias size) and site shapes, as ts_cnn.h lays them out."""
    h, w, c = hwc
    layers, sites = [], [(h, w, c)]
    for co in conv:
        layers.append(("conv", (co, c, k, k), co))
        h, w, c = h // 2, w // 2, co
        sites.append((h, w, c))
    n = h * w * c
    for wd in widths:
        layers.append(("dense", (wd, n), wd))
        n = wd
        sites.append((1, 1, wd))
    layers.append(("dense", (n_out, n), n_out))
    return layers, sites


def inject(h, e, ntype, s):
    return h + s * e if ntype == "add" else h * (1 + s * e)


def check(driver, cfg, rep):
    act, loss, ntype, sigma2, on_input, M, B, seed, hwc, k, conv, n_out, zeros, widths = cfg
    name = (f"cnn torch {act} {loss} {ntype} s2={sigma2} input={on_input} M={M} B={B} {hwc} k={k} "
            f"conv={conv} zeros={zeros} widths={widths}")
    args = [driver, act, loss, ntype, repr(sigma2), str(on_input), str(M), str(B), str(seed),
            str(hwc[0]), str(hwc[1]), str(hwc[2]), str(k), conv, str(n_out), str(zeros)] + [str(w) for w in widths]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        rep.check(name, False, f"driver exit {r.returncode}: {r.stderr.strip()}")
        return
    d = parse(r.stdout)
    chans = [int(v) for v in conv.split(",")] if conv != "-" else []
    layers, sites = shapes(hwc, k, chans, n_out, widths)
    p = floats(d, "params")
    ws, bs, off = [], [], 0
    for kind, wshape, nb in layers:
        nw = 1
        for v in wshape:
            nw *= v
        ws.append(p[off:off + nw].reshape(wshape).clone().requires_grad_(True))
        off += nw
        bs.append(p[off:off + nb].clone().requires_grad_(True))
        off += nb
    if off != p.numel():
        rep.check(name, False, f"{p.numel()} params, expected {off}")
        return
    R = M * B
    H, W, C = hwc
    x = floats(d, "x").reshape(B, H, W, C).permute(0, 3, 1, 2)
    noise = []
    for s_i, (sh, sw, sc) in enumerate(sites):
        vals = d[f"site{s_i}"]
        if not vals:
            noise.append(None)
            continue
        t = torch.tensor([float(v) for v in vals])
        noise.append(t.reshape(R, sh, sw, sc).permute(0, 3, 1, 2) if s_i <= len(chans) else t.reshape(R, sc))
    s = float(d["sigma"][0])
    active = ntype != "none" and s > 0
    h = x.repeat(M, 1, 1, 1)   # row m B + i = copy m of example i
    if active and on_input:
        h = inject(h, noise[0], ntype, s)
    pl, pr = (k - 1) // 2, k - 1 - (k - 1) // 2
    for li in range(len(chans)):
        z = F.conv2d(F.pad(h, (pl, pr, pl, pr)), ws[li], bs[li])
        h = ACT[act](F.max_pool2d(z, 2))
        if active:
            h = inject(h, noise[li + 1], ntype, s)
    h = h.permute(0, 2, 3, 1).reshape(R, -1)   # (H, W, C) order, as the C side flattens
    for li in range(len(chans), len(layers)):
        h = F.linear(h, ws[li], bs[li])
        if li + 1 < len(layers):
            h = ACT[act](h)
            if active:
                h = inject(h, noise[li + 1], ntype, s)
    if loss == "mse":
        y = floats(d, "y").reshape(B, n_out).repeat(M, 1)
        L = 0.5 * ((h - y) ** 2).sum(1).mean()
    else:
        lab = torch.tensor([int(v) for v in d["label"]]).repeat(M)
        L = F.cross_entropy(h, lab)
    L.backward()
    g_t = torch.cat([t for pair in zip(ws, bs) for t in (pair[0].grad.reshape(-1), pair[1].grad)])
    g_c = floats(d, "grad")
    L_c = float(d["loss"][0])
    ok_loss = abs(L_c - L.item()) <= 1e-5 * abs(L.item())
    gmax = g_t.abs().max().item()
    err = (g_c - g_t).abs()
    tol = 1e-4 * gmax + 1e-4 * g_t.abs()
    worst = (err / (gmax if gmax > 0 else 1)).max().item()
    ok_grad = bool((err <= tol).all()) and gmax > 1e-4
    rep.check(name, ok_loss and ok_grad,
              f"loss {L_c!r} vs torch {L.item()!r}; worst gradient error {worst:.3g} of max {gmax:.3g}")
    check_reg(d, cfg, name, ws, bs, x, chans, layers, rep)


def check_reg(d, cfg, name, ws, bs, x, chans, layers, rep):
    """L + R at the clean pass, R from torch's Jacobians (create_graph), and its gradient by double backward."""
    act, loss, ntype, sigma2, on_input, M, B, seed, hwc, k, conv, n_out, zeros, widths = cfg
    for t in ws + bs:
        t.grad = None
    x = x.clone().requires_grad_(True)
    sites, h = [x], x
    pl, pr = (k - 1) // 2, k - 1 - (k - 1) // 2
    for li in range(len(chans)):
        h = ACT[act](F.max_pool2d(F.conv2d(F.pad(h, (pl, pr, pl, pr)), ws[li], bs[li]), 2))
        sites.append(h)
    h = h.permute(0, 2, 3, 1).reshape(B, -1)
    if not chans:
        sites[0] = h   # a dense network: the flattened input is the site
    for li in range(len(chans), len(layers)):
        h = F.linear(h, ws[li], bs[li])
        if li + 1 < len(layers):
            h = ACT[act](h)
            sites.append(h)
    out = h
    if loss == "mse":
        y = floats(d, "y").reshape(B, n_out)
        L = 0.5 * ((out - y) ** 2).sum(1).mean()
    else:
        L = F.cross_entropy(out, torch.tensor([int(v) for v in d["label"]]))
    R = torch.zeros(())
    if ntype != "none" and sigma2 > 0:
        p = F.softmax(out, 1)
        for s_i, site in enumerate(sites):
            if s_i == 0 and not on_input:
                continue
            J = torch.stack([torch.autograd.grad(out[:, kk].sum(), site, create_graph=True)[0]
                             for kk in range(n_out)], -1)
            if ntype == "mult":
                J = J * site.unsqueeze(-1)
            if loss == "mse":
                Q = (J ** 2).sum(-1)
            else:
                pp = p.reshape([B] + [1] * (J.dim() - 2) + [n_out])
                Q = (pp * J ** 2).sum(-1) - ((pp * J).sum(-1)) ** 2
            R = R + Q.sum()
        R = R * sigma2 / 2 / B
    (L + R).backward()
    g_t = torch.cat([t for pair in zip(ws, bs) for t in (pair[0].grad.reshape(-1), pair[1].grad)])
    g_c = floats(d, "rgrad")
    L_c, R_c = float(d["rloss"][0]), float(d["reg"][0])
    ok_l = abs(L_c - L.item()) <= 1e-5 * abs(L.item())
    ok_r = abs(R_c - R.item()) <= 1e-4 * abs(R.item()) if R.item() != 0 else R_c == 0.0
    gmax = g_t.abs().max().item()
    err = (g_c - g_t).abs()
    tol = 1e-4 * gmax + 1e-4 * g_t.abs()
    worst = (err / gmax).max().item()
    ok_g = bool((err <= tol).all())
    rep.check(name + " explicit_reg", ok_l and ok_r and ok_g,
              f"L {L_c!r} vs {L.item()!r}; R {R_c!r} vs torch {R.item()!r}; worst gradient error {worst:.3g} of max "
              f"{gmax:.3g}")


def main():
    if len(sys.argv) != 2:
        print("usage: cnn_torch.py CNN_DRIVER", file=sys.stderr)
        return 2
    rep = Report()
    for cfg in CONFIGS:
        check(sys.argv[1], cfg, rep)
    return rep.exit_code()


if __name__ == "__main__":
    sys.exit(main())
