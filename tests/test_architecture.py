"""The layout holds: layers point one way, no cycles, stages load light.

Layers (``../shared/DESIGN.md``): ``_shared`` <- ``data`` <- the stages <-
``plot`` <- ``explorer`` / ``report`` <- ``_demo`` / ``cli``. A module may
import its own layer and the layers below it; a stage may call ``plot`` only
inside a function (its ``plot_*`` functions), never at import time. The
imports are read from the source with :mod:`ast`, so this test needs nothing
heavy and sees lazy imports too.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "astrokit"
STAGES = (
    "inspect",
    "features",
    "distances",
    "sequence",
    "embedding",
    "cluster",
    "interpret",
    "outliers",
    "transfer",
    "stars",
)
LAYER = {"_shared": 0, "data": 1, **dict.fromkeys(STAGES, 2), "plot": 3}
LAYER |= {"_discover": 3, "report": 3}  # a Discovery saves its own report
LAYER |= {"explorer": 4, "_demo": 5, "cli": 5}
PIPELINE = {stage: i for i, stage in enumerate(STAGES)}
"""Among the stages, arrows follow the loop: a stage imports earlier ones only."""
HEAVY = ("umap", "numba", "holoviews", "panel", "bokeh", "datashader", "matplotlib")
PUBLIC = ["data", *STAGES, "plot", "_discover", "explorer", "report", "cli"]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


MODULES = _modules()


def _target(node: ast.ImportFrom | ast.Import, module: str, is_package: bool):
    """The astrokit modules an import statement names."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    base = node.module or ""
    if node.level:
        here = module.split(".") if is_package else module.split(".")[:-1]
        here = here[: len(here) - node.level + 1]
        base = ".".join([*here, base] if base else here)
    names = [f"{base}.{a.name}" for a in node.names]
    return [n if n in MODULES else base for n in names]


def _imports(module: str) -> list[tuple[str, bool]]:
    """``(imported module, at import time?)`` for each astrokit import."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []

    def visit(node, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                for name in _target(child, module, path.name == "__init__.py"):
                    if name.split(".")[0] == "astrokit" and name != "astrokit":
                        found.append((name, top))
            inner = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            visit(child, top and not inner)

    visit(tree, True)
    return found


def _layer(module: str) -> int:
    return LAYER[module.split(".")[1]]


def test_every_module_has_a_layer():
    unplaced = [m for m in MODULES if m != "astrokit" and m.split(".")[1] not in LAYER]
    assert not unplaced, f"add these to LAYER (and DESIGN.md): {unplaced}"


def _same_or_earlier_stage(name: str, module: str) -> bool:
    here, there = module.split(".")[1], name.split(".")[1]
    if here not in PIPELINE or there not in PIPELINE:
        return _layer(name) == _layer(module)
    return PIPELINE[there] <= PIPELINE[here]


def _upward(module: str, imports: list[tuple[str, bool]]) -> list[str]:
    """The imports of ``module`` that break the layer rule."""
    upward = []
    for name, at_import in imports:
        if _layer(name) < _layer(module) or _same_or_earlier_stage(name, module):
            continue
        lazy_plot = name.split(".")[1] == "plot" and _layer(module) == 2
        if not (lazy_plot and not at_import):
            upward.append(name)
    return upward


@pytest.mark.parametrize("module", [m for m in MODULES if m != "astrokit"])
def test_imports_point_down(module):
    upward = _upward(module, _imports(module))
    assert not upward, f"{module} imports upward: {upward}"


def test_layer_rule_can_fail():
    """A stage importing the explorer, or plot at import time, is caught."""
    imports = [
        ("astrokit.explorer", False),
        ("astrokit.plot", True),
        ("astrokit.plot", False),
        ("astrokit.data", True),
        ("astrokit.outliers", True),
        ("astrokit.features", True),
    ]
    assert _upward("astrokit.cluster", imports) == [
        "astrokit.explorer",
        "astrokit.plot",
        "astrokit.outliers",
    ]
    node = ast.parse("from astrokit.explorer import explore").body[0]
    assert _target(node, "astrokit.cluster", True) == ["astrokit.explorer"]


def test_shared_imports_nothing_of_astrokit():
    for module in MODULES:
        if module.startswith("astrokit._shared"):
            inside = [n for n, _ in _imports(module) if "._shared" not in n]
            assert not inside, f"{module} imports {inside}"


def test_no_import_cycles():
    graph = {m: {n for n, _ in _imports(m)} for m in MODULES}
    state: dict[str, int] = {}

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                raise AssertionError(f"import cycle: {' -> '.join(cycle)}")
            if nxt not in state:
                walk(nxt, [*path, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module, [module])


@pytest.mark.parametrize("name", PUBLIC)
def test_public_submodule_loads_no_heavy_library(name):
    code = (
        f"import sys, astrokit.{name}; "
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    loaded = subprocess.check_output([sys.executable, "-c", code], text=True)
    assert loaded.strip() == "", f"import astrokit.{name} loads {loaded.strip()}"


@pytest.mark.parametrize("name", [*STAGES, "data", "plot", "explorer"])
def test_stage_is_a_documented_package(name):
    init = PACKAGE / name / "__init__.py"
    assert init.exists(), f"astrokit/{name}/ is not a package"
    tree = ast.parse(init.read_text())
    doc = ast.get_docstring(tree)
    assert doc and len(doc) > 80, f"astrokit/{name}/__init__.py needs a docstring"
    exported = [
        n
        for n in tree.body
        if isinstance(n, ast.Assign) and any(t.id == "__all__" for t in n.targets)
    ]
    assert exported, f"astrokit/{name}/__init__.py needs __all__"
    import importlib

    package = importlib.import_module(f"astrokit.{name}")
    missing = [n for n in package.__all__ if not hasattr(package, n)]
    assert not missing, f"astrokit.{name}.__all__ names missing objects {missing}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_short(module):
    text = MODULES[module].read_text()
    lines = len(text.splitlines())
    doc = ast.get_docstring(ast.parse(text)) or ""
    assert lines <= 400 or "long because" in doc, (
        f"{module} has {lines} lines; split it, or say in its docstring why it "
        "is long (the words 'long because')"
    )
