"""Process start-up: what every alianza process sets before its first scientific import.

Two fixes around libraries, both installed by `import alianza` (alianza/__init__.py).

1. Do not import numpy's developer tools.
scipy >= 1.15 vendors array_api_compat, whose numpy namespace is built by `clone_module("numpy")`:
`from numpy import *` plus `getattr` on every name of `dir(numpy)`. numpy 2 lists its lazily loaded
submodules `f2py` and `testing` in both, so the first `import scipy.<anything>` imports the Fortran
wrapper generator and the test framework (with unittest, email, socket, subprocess ...): about 0.1 s of
every process, a quarter of a whole `alianza fit`. Neither module is ever used by scipy's numpy namespace.

`install()` puts a finder on `sys.meta_path` that, while (and only while) that one scipy module executes,
hides the two names from numpy's `__all__` and `dir()`. Nothing else changes: `numpy.testing` still
imports on demand, and the finder removes itself after its one use.
tests/unit/test_startup.py shows the defect (a bare scipy import loads numpy.f2py) and the cure.

2. Let pyarrow's allocator give back what the CSV reader freed (settle_allocator, below).
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys

CLONING_MODULE = "scipy._lib.array_api_compat.numpy"
DEVELOPER_TOOLS = frozenset({"f2py", "testing"})


class HidingLoader(importlib.abc.Loader):
    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        import numpy

        saved_all, had_dir = numpy.__all__, "__dir__" in vars(numpy)
        saved_dir = vars(numpy).get("__dir__")
        numpy.__all__ = [n for n in saved_all if n not in DEVELOPER_TOOLS]
        if had_dir:
            numpy.__dir__ = lambda: [n for n in saved_dir() if n not in DEVELOPER_TOOLS]
        try:
            self.loader.exec_module(module)
        finally:
            numpy.__all__ = saved_all
            if had_dir:
                numpy.__dir__ = saved_dir


class ClonerFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != CLONING_MODULE:
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = HidingLoader(spec.loader)
        return spec


def install() -> None:
    """Idempotent; the finder is not installed once scipy's numpy namespace exists (it was built already)."""
    settle_allocator()
    if CLONING_MODULE in sys.modules or any(isinstance(f, ClonerFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, ClonerFinder())


# pyarrow's default allocator is mimalloc, which by default keeps freed pages committed for a while and
# commits whole arenas eagerly: reading a 44 MB CSV then holds about 75 MB more than the data it returns
# (bench/RESULTS.md, ML on 100,000 rows). mimalloc reads these when pyarrow loads it, so they are set
# before any import of pyarrow; a user's own setting wins.
ALLOCATOR_SETTINGS = {"MIMALLOC_PURGE_DELAY": "0", "MIMALLOC_ARENA_EAGER_COMMIT": "0"}


def settle_allocator() -> None:
    for key, value in ALLOCATOR_SETTINGS.items():
        os.environ.setdefault(key, value)
