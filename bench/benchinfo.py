"""bench/benchinfo.py: what the benchmark scripts print about the machine."""
import os
import subprocess


def machine():
    """CPU model, the CPUs this process may use (what nproc counts), load."""
    model = "unknown CPU"
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    for line in lscpu.splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
    return (f"{model}, nproc {len(os.sched_getaffinity(0))}, "
            f"load average {os.getloadavg()[0]:.2f}")
