"""bench/mlp_torch.py: ms per GNI SGD step, tailsweep's MLP (bench/bench_mlp.c)
against PyTorch on the CPU, both single-threaded, in the same run.

    /usr/bin/python3 bench/mlp_torch.py [--rounds R] [--exe build/release/bench/bench_mlp]

The model of the GNI benchmark: 1-D input, 4 hidden layers of 256 ELU, 1-D output,
MSE (0.5 (out - y)^2, batch mean), additive Gaussian noise with variance
sigma2 = 0.1 on the input and every hidden layer, never on the output. The
M-sample objective stacks the M noisy copies of the batch into M B rows on
both sides (torch: x.repeat(M, 1)), so each layer is one GEMM. A step is:
draw the noise, forward, backward, SGD update. torch uses
torch.set_num_threads(1); tailsweep sets one OpenMP thread for oneDNN's sgemm
(src/nn/ts_mlp_blas.c), which it uses for the network's GEMMs.

Configurations (B, M): (1024, 1), (1024, 16), (64, 1). A round runs the C
driver (which times STEPS steps after a warm-up, median over its reps) and
then torch (the same), so both see the same machine load; each cell is the
median over the rounds. Prints a markdown table with the ratio torch / C
(> 1: tailsweep is faster) and the targets (1.5x at B = 1024, 3x at B = 64),
reported, not enforced.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

# One BLAS thread on the torch side too: Debian's torch calls the system
# OpenBLAS (BLAS_INFO=generic), which torch.set_num_threads does not reach.
os.environ["OPENBLAS_NUM_THREADS"] = "1"
import torch  # noqa: E402

from benchinfo import machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SIGMA2 = 0.1
CONFIGS = [(1024, 1, 20, 5, 1.5), (1024, 16, 3, 3, 1.5), (64, 1, 200, 5, 3.0)]


def run_c(exe, B, M, steps, reps):
    r = subprocess.run([str(exe), str(B), str(M), str(steps), str(reps)], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"mlp_torch.py: bench_mlp failed: {r.stderr.strip()}")
    vals = dict(line.split() for line in r.stdout.splitlines())
    run_c.core = vals["blas_core"]
    return float(vals["ms_per_step"]), float(vals["ms_noise"]), float(vals["cpu_ms_per_step"])


class GNIMLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        dims = [1, 256, 256, 256, 256, 1]
        self.layers = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        for lin in self.layers:   # He init, zero bias, as tailsweep
            torch.nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
            torch.nn.init.zeros_(lin.bias)
        self.s = SIGMA2 ** 0.5

    def forward(self, x):
        h = x + self.s * torch.randn_like(x)
        for lin in self.layers[:-1]:
            a = torch.nn.functional.elu(lin(h))
            h = a + self.s * torch.randn_like(a)
        return self.layers[-1](h)


def run_torch(B, M, steps, reps):
    torch.manual_seed(1)
    net = GNIMLP()
    opt = torch.optim.SGD(net.parameters(), lr=1e-3)
    x = ((torch.arange(B, dtype=torch.float32) + 0.5) / B)[:, None]
    y = torch.sin(2 * torch.pi * x)
    xs, ys = x.repeat(M, 1), y.repeat(M, 1)
    times, cpu = [], []
    for rep in range(-1, reps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        for _ in range(steps):
            opt.zero_grad(set_to_none=True)
            loss = 0.5 * ((net(xs) - ys) ** 2).sum(1).mean()
            loss.backward()
            opt.step()
        if rep >= 0:
            times.append(1e3 * (time.perf_counter() - t0) / steps)
            cpu.append(1e3 * (time.process_time() - c0) / steps)
    return statistics.median(times), statistics.median(cpu)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3, help="rounds per configuration (default 3)")
    ap.add_argument("--exe", default=str(ROOT / "build/release/bench/bench_mlp"), help="the C driver (make build/release/bench/bench_mlp)")
    args = ap.parse_args()
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    exe = Path(args.exe).resolve()
    if not exe.exists():
        sys.exit(f"mlp_torch.py: {exe} is missing; run `make build/release/bench/bench_mlp`")
    torch.set_num_threads(1)
    print(f"# GNI MLP step: tailsweep vs PyTorch {torch.__version__}, one thread each; {machine()}")
    print()
    print("| B | M | tailsweep ms/step | of which noise draws | torch ms/step | torch / tailsweep "
          "| CPU ms/step tailsweep / torch | CPU-time ratio | target |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for B, M, steps, reps, target in CONFIGS:
        c, n, cc, t, tc = [], [], [], [], []
        for _ in range(args.rounds):
            cs, cn, ccpu = run_c(exe, B, M, steps, reps)
            c.append(cs)
            n.append(cn)
            cc.append(ccpu)
            ts, tcpu = run_torch(B, M, steps, reps)
            t.append(ts)
            tc.append(tcpu)
        cm, nm, tm = statistics.median(c), statistics.median(n), statistics.median(t)
        ccm, tcm = statistics.median(cc), statistics.median(tc)
        ratio, cratio = tm / cm, tcm / ccm
        verdict = "met" if ratio >= target else "missed"
        print(f"| {B} | {M} | {cm:.3g} | {nm:.3g} | {tm:.3g} | {ratio:.2f}x | {ccm:.3g} / {tcm:.3g} "
              f"| {cratio:.2f}x | {target:g}x: {verdict} (wall) |", flush=True)
    print()
    print(f"GEMM: tailsweep {run_c.core}; torch the system OpenBLAS with "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")


if __name__ == "__main__":
    main()
