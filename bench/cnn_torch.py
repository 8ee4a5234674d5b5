"""bench/cnn_torch.py: ms per GNI SGD step of tailsweep's convolutional network
(bench/bench_cnn.c) against the same network in PyTorch on the CPU, both
single-threaded, in the same run.

    /usr/bin/python3 bench/cnn_torch.py [--rounds R] [--exe build/release/bench/bench_cnn]

The benchmark model: a 28 x 28 x 1 input, convolution blocks of 32 and 64
channels (3 x 3 kernels, same padding; each conv, 2 x 2 max-pool, ELU), a
dense layer of 256 ELU, 10 classes, softmax cross-entropy; additive
Gaussian noise with variance sigma2 = 0.1 on the input and every hidden
activation, never on the output. A step is: draw the noise, forward,
backward, SGD update, over the M B stacked images (torch: x.repeat(M, ...)).
torch uses torch.set_num_threads(1) (its convolutions run on the same
oneDNN, through mkldnn); tailsweep runs oneDNN on one OpenMP thread.

Configurations (B, M): (64, 1), the target's, and (64, 16). A round runs the
C driver (which times STEPS steps after a warm-up, median over its reps)
and then torch (the same), so both see the same machine load; each cell is
the median over the rounds. Prints a markdown table with the ratios torch /
tailsweep in wall and in CPU time (> 1: tailsweep is faster) and the
target (1.5x), reported, not enforced.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ["OPENBLAS_NUM_THREADS"] = "1"
import torch  # noqa: E402

from benchinfo import machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SIGMA2 = 0.1
CONFIGS = [(64, 1, 20, 5, 1.5), (64, 16, 2, 3, 1.5)]
F = torch.nn.functional


def run_c(exe, B, M, steps, reps):
    r = subprocess.run([str(exe), str(B), str(M), str(steps), str(reps)], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"cnn_torch.py: bench_cnn failed: {r.stderr.strip()}")
    vals = dict(line.split() for line in r.stdout.splitlines())
    return float(vals["ms_per_step"]), float(vals["ms_noise"]), float(vals["cpu_ms_per_step"])


class GNICNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(1, 32, 3, padding=1)
        self.c2 = torch.nn.Conv2d(32, 64, 3, padding=1)
        self.d1 = torch.nn.Linear(7 * 7 * 64, 256)
        self.d2 = torch.nn.Linear(256, 10)
        for m in (self.c1, self.c2, self.d1, self.d2):   # He init, zero bias, as tailsweep
            torch.nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            torch.nn.init.zeros_(m.bias)
        self.s = SIGMA2 ** 0.5

    def forward(self, x):
        h = x + self.s * torch.randn_like(x)
        a = F.elu(F.max_pool2d(self.c1(h), 2))
        h = a + self.s * torch.randn_like(a)
        a = F.elu(F.max_pool2d(self.c2(h), 2))
        h = a + self.s * torch.randn_like(a)
        a = F.elu(self.d1(h.flatten(1)))
        h = a + self.s * torch.randn_like(a)
        return self.d2(h)


def run_torch(B, M, steps, reps):
    torch.manual_seed(1)
    net = GNICNN()
    opt = torch.optim.SGD(net.parameters(), lr=1e-3)
    x = torch.rand(B, 1, 28, 28)
    y = torch.randint(0, 10, (B,))
    xs, ys = x.repeat(M, 1, 1, 1), y.repeat(M)
    times, cpu = [], []
    for rep in range(-1, reps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        for _ in range(steps):
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(net(xs), ys)
            loss.backward()
            opt.step()
        if rep >= 0:
            times.append(1e3 * (time.perf_counter() - t0) / steps)
            cpu.append(1e3 * (time.process_time() - c0) / steps)
    return statistics.median(times), statistics.median(cpu)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3, help="rounds per configuration (default 3)")
    ap.add_argument("--exe", default=str(ROOT / "build/release/bench/bench_cnn"),
                    help="the C driver (make build/release/bench/bench_cnn)")
    args = ap.parse_args()
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    exe = Path(args.exe).resolve()
    if not exe.exists():
        sys.exit(f"cnn_torch.py: {exe} is missing; run `make build/release/bench/bench_cnn`")
    torch.set_num_threads(1)
    print(f"# GNI CNN step: tailsweep vs PyTorch {torch.__version__} (mkldnn "
          f"{torch.backends.mkldnn.is_available()}), one thread each; {machine()}")
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
        verdict = "met" if min(ratio, cratio) >= target else "missed"
        print(f"| {B} | {M} | {cm:.3g} | {nm:.3g} | {tm:.3g} | {ratio:.2f}x | {ccm:.3g} / {tcm:.3g} "
              f"| {cratio:.2f}x | {target:g}x: {verdict} |", flush=True)


if __name__ == "__main__":
    main()
