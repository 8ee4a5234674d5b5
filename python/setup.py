"""Installs the tailsweep Python module (python/tailsweep) with its shared
library, libtailsweep.so (the C stable toolkit; see _lib.py).

    make python                     # builds build/release/libtailsweep.so, copies it here
    pip install ./python            # in a virtual environment (README: offline, Debian)

If the library is not in tailsweep/ yet, this runs `make python` in the
source tree this directory belongs to. There is no pyproject.toml on
purpose: pip then builds with the setuptools already installed (Debian's
python3-setuptools) instead of fetching one into an isolated environment,
so the install works without network access.
"""
import re
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LIB = HERE / "tailsweep" / "libtailsweep.so"


def version():
    text = (ROOT / "include" / "tailsweep" / "ts_version.h").read_text()
    return re.search(r'#define TS_VERSION "([^"]+)"', text).group(1)


class BuildWithLibrary(build_py):
    def run(self):
        if not LIB.is_file():
            if not (ROOT / "Makefile").is_file():
                raise SystemExit(f"tailsweep: {LIB} is missing and {ROOT} is no tailsweep source tree; "
                                 "run `make python` there first")
            subprocess.run(["make", "-C", str(ROOT), "python"], check=True)
        super().run()


class BinaryDistribution(Distribution):
    """The wheel carries a compiled library: tag it for this platform."""

    def has_ext_modules(self):
        return True


setup(
    name="tailsweep",
    version=version(),
    description="alpha-stable laws (scipy.stats.levy_stable's interface) from tailsweep's C library",
    packages=["tailsweep"],
    package_data={"tailsweep": ["libtailsweep.so"]},
    python_requires=">=3.9",
    install_requires=["numpy"],
    cmdclass={"build_py": BuildWithLibrary},
    distclass=BinaryDistribution,
    zip_safe=False,
)
