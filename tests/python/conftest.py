"""pytest set-up for the Python module's tests: import tailsweep from the
source tree (python/), with the library named by $TAILSWEEP_LIB (tests/run.sh
points it at build/release/libtailsweep.so, so a stale copy left in
python/tailsweep/ by an earlier `make python` is never what is tested)."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "tests" / "oracle"))   # stable_fourier: the shared references
