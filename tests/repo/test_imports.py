"""tests/repo/test_imports.py: every Python module that the tests, the tools
and the Python package import is installed by the default
scripts/install-deps.sh (its `core` list), so `make check` passes on a
fresh Debian machine. A module installed only by hand, or only with
--bench, makes this fail, naming the file and the module.

Standard-library modules and the repository's own modules are skipped;
every other module must map, in DEBIAN below, to a package in `core`."""
import ast
import pathlib
import re
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
SCANNED = ["tests", "tools", "python", "scripts"]   # bench/ may use --bench packages

# import name -> Debian package
DEBIAN = {
    "numpy": "python3-numpy", "scipy": "python3-scipy", "h5py": "python3-h5py",
    "matplotlib": "python3-matplotlib", "sklearn": "python3-sklearn", "xarray": "python3-xarray",
    "h5netcdf": "python3-h5netcdf", "torch": "python3-torch", "mpmath": "python3-mpmath",
    "pytest": "python3-pytest", "setuptools": "python3-setuptools", "wheel": "python3-wheel",
    "pandas": "python3-pandas",
}


def core_packages():
    # the bash array core=( ... ): comments removed line by line first,
    # since they may hold parentheses
    text = "\n".join(line.split("#", 1)[0] for line in (REPO / "scripts/install-deps.sh").read_text().splitlines())
    m = re.search(r"^core=\(([^)]*)\)", text, re.M)
    return set(m.group(1).split()) if m else None


def own_modules():
    names = set()
    for d in SCANNED:
        for p in (REPO / d).rglob("*.py"):
            names.add(p.stem)
        for p in (REPO / d).rglob("__init__.py"):
            names.add(p.parent.name)
    return names


def imports(path):
    try:
        tree = ast.parse(path.read_text(), str(path))
    except SyntaxError as e:
        return [("<syntax error>", e.lineno or 0)]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name.split(".")[0], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.module.split(".")[0], node.lineno))
    return out


def main():
    core = core_packages()
    if not core:
        print("FAIL: imports: scripts/install-deps.sh has no core=( ... ) list")
        return
    std, own = sys.stdlib_module_names, own_modules()
    files = [p for d in SCANNED for p in sorted((REPO / d).rglob("*.py"))]
    problems, third = [], set()
    for p in files:
        for mod, line in imports(p):
            if mod in std or mod in own or mod == "__future__":
                continue
            third.add(mod)
            pkg = DEBIAN.get(mod)
            where = f"{p.relative_to(REPO)}:{line}"
            if pkg is None:
                problems.append(f"{where}: imports '{mod}', which no Debian package in the map provides")
            elif pkg not in core:
                problems.append(f"{where}: imports '{mod}' ({pkg}), not in install-deps.sh's core list")
    if len(files) < 10 or not third:
        print(f"FAIL: imports: only {len(files)} Python files or no third-party import found: the scan is broken")
    elif problems:
        print("FAIL: imports: " + "; ".join(sorted(set(problems))[:8]))
    else:
        print(f"PASS: imports: the {len(third)} third-party modules of {len(files)} Python files "
              f"({', '.join(sorted(third))}) come from install-deps.sh's core packages")


main()
