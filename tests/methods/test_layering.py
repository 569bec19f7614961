"""``rbcity.methods`` is pure: it imports nothing from the other rbcity layers and does no I/O."""

import ast
import pathlib

import rbcity.methods

PKG = pathlib.Path(rbcity.methods.__file__).parent
FORBIDDEN_MODULES = {"os", "io", "pathlib", "sqlite3", "sqlalchemy", "requests", "httpx"}


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, 0
        elif isinstance(node, ast.ImportFrom):
            yield node.module or "", node.level


def test_methods_imports_no_other_rbcity_layer_and_no_io():
    files = sorted(PKG.glob("*.py"))
    assert len(files) >= 10
    for f in files:
        for mod, level in _imports(f):
            if level == 0:
                assert not mod.startswith("rbcity") or mod.startswith("rbcity.methods"), (f, mod)
                assert mod.split(".")[0] not in FORBIDDEN_MODULES, (f, mod)
            else:
                assert level == 1, (f, mod)  # only siblings inside methods
        src = f.read_text(encoding="utf-8")
        assert "open(" not in src and "to_csv" not in src and "read_csv" not in src, f
