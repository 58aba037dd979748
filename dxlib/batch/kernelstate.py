"""Kernel side of warm kernels: what runs *inside* a kept kernel, once after it starts
(:func:`warm_up`) and before every notebook (:func:`reset`).

A warm kernel runs many notebooks one after another; nothing of one may be visible to the next,
so that every executed notebook, its metrics and its HTML are byte for byte what a fresh kernel
gives (the batch test ``tests/integration/test_warm_kernels.py`` checks it on the whole default
batch). :func:`warm_up` imports what the notebooks import, makes and closes one figure (matplotlib
chooses and configures its inline backend at the first figure) and then saves the state a notebook
can change; :func:`reset` puts all of it back:

- IPython: user namespace, input/output history and execution counter
  (``InteractiveShell.reset(new_session=True)``; the parameter check reads the history);
- working directory (the notebook's folder), ``os.environ``, ``sys.path``, the locale;
- warnings: the filters, ``showwarning``, and the "already shown once" registries (a filter
  change invalidates them, as in a new process);
- matplotlib: open figures closed, ``rcParams`` restored to the saved settings (not
  ``rcdefaults()``, which would drop the inline backend's settings), the units registry (pandas
  adds converters when it plots);
- numpy print options and floating-point error handling, pandas options (set back through
  ``pandas.set_option`` so that their callbacks run), the root logger's level and handlers;
- dxlib's modules: every module-level name rebound to what it was after warm-up (flags such as
  the figures' "styled once"), names a notebook added removed, every ``functools.lru_cache`` /
  ``functools.cache`` cleared;
- modules first imported by a notebook that are not installed packages (dxlib's, a helper module
  next to a notebook: any file outside ``sys.prefix``) are dropped from ``sys.modules``, so that
  the next notebook imports its own.

Not restored (documented limits): objects *mutated in place* inside installed third-party
modules; installed packages a notebook imported first stay imported (their import-time output
is not repeated); threads or signal handlers a notebook started. A notebook that fails, times
out or kills its kernel never hands its kernel on: the runner replaces it
(:mod:`dxlib.batch.kernels`).

After warm-up the surviving objects are moved to the permanent generation (``gc.freeze()``), so
that the garbage collection of IPython's reset scans only what notebooks made (0.1 s -> 0.01 s).
"""

from __future__ import annotations

import functools
import gc
import importlib
import locale
import logging
import os
import pkgutil
import sys
import warnings
from typing import Any

#: Imported during warm-up, before dxlib's own modules (all of which are imported too): what
#: the notebooks and dxlib's functions import (statsmodels and seaborn lazily, inside functions).
WARM_IMPORTS = ("numpy", "pandas", "matplotlib", "matplotlib.pyplot", "IPython.display", "seaborn",
                "statsmodels.api", "statsmodels.tsa.exponential_smoothing.ets",
                "statsmodels.tsa.forecasting.theta")
#: dxlib modules never imported by the warm-up (running them has effects).
SKIP_MODULES = frozenset({"dxlib.__main__"})

_SAVED: dict[str, Any] | None = None
_MISSING = object()


def _dxlib_modules() -> dict[str, Any]:
    return {n: m for n, m in list(sys.modules.items())
            if m is not None and (n == "dxlib" or n.startswith("dxlib."))}


def _pandas_options() -> dict[str, Any]:
    import pandas as pd
    from pandas._config import config

    values = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key in config._registered_options:
            if key in config._deprecated_options:
                continue
            values[key] = pd.get_option(key)
    return values


def warm_up() -> None:
    """Import what notebooks import, make and close one figure, save the state :func:`reset`
    restores, and freeze the surviving objects out of the garbage collector's way. Called once,
    right after the kernel started."""
    global _SAVED
    for name in WARM_IMPORTS:
        try:
            importlib.import_module(name)
        except ImportError:  # an optional package this environment lacks
            pass
    import dxlib

    for info in pkgutil.walk_packages(dxlib.__path__, "dxlib."):
        if info.name not in SKIP_MODULES:
            try:
                importlib.import_module(info.name)
            except Exception:  # noqa: BLE001 - an optional extra that is not installed
                pass
    import matplotlib
    import matplotlib.pyplot as plt
    import matplotlib.units
    import numpy as np

    plt.close(plt.figure())  # the backend is chosen and configured at the first figure
    root = logging.getLogger()
    _SAVED = {
        "rc": matplotlib.rcParams.copy(),
        "units": dict(matplotlib.units.registry),
        "warnings": list(warnings.filters),
        "showwarning": warnings.showwarning,
        "formatwarning": warnings.formatwarning,
        "environ": dict(os.environ),
        "sys_path": list(sys.path),
        "locale": locale.setlocale(locale.LC_ALL),
        "np_print": np.get_printoptions(),
        "np_err": np.geterr(),
        "pandas": _pandas_options(),
        "log_level": root.level,
        "log_handlers": list(root.handlers),
        "modules": {n: dict(vars(m)) for n, m in _dxlib_modules().items()},
        "module_names": set(sys.modules),
    }
    gc.collect()
    gc.freeze()


def _restore_modules(saved: dict[str, dict[str, Any]]) -> None:
    for name, module in _dxlib_modules().items():
        if name == __name__:  # this module holds the saved state itself
            continue
        snapshot = saved.get(name)
        if snapshot is None:  # first imported by a notebook: the next one imports it afresh
            del sys.modules[name]
            parent, _, child = name.rpartition(".")
            if parent in sys.modules and getattr(sys.modules[parent], child, None) is module:
                delattr(sys.modules[parent], child)
            continue
        namespace = vars(module)
        for key in [k for k in namespace if k not in snapshot]:
            del namespace[key]
        for key, value in snapshot.items():
            if namespace.get(key, _MISSING) is not value:
                namespace[key] = value
        for value in snapshot.values():
            if isinstance(value, functools._lru_cache_wrapper):
                value.cache_clear()


def _installed(module: Any) -> bool:
    """True for modules of the Python installation or its environment (site-packages)."""
    file = getattr(module, "__file__", None)
    if not file:
        return True  # built-in or namespace package
    file = os.path.realpath(file)
    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    return any(file.startswith(p + os.sep) for p in prefixes)


def _drop_new_local_modules(before: set[str]) -> None:
    for name in [n for n in sys.modules if n not in before]:
        module = sys.modules[name]
        if module is not None and not _installed(module):
            del sys.modules[name]


def _restore_environ(saved: dict[str, str]) -> None:
    for key in [k for k in os.environ if k not in saved]:
        del os.environ[key]
    for key, value in saved.items():
        if os.environ.get(key) != value:
            os.environ[key] = value


def reset(cwd: str) -> None:
    """Undo everything the previous notebook did (see the module docstring) and make ``cwd``
    the working directory. Raises ``RuntimeError`` when :func:`warm_up` did not run."""
    if _SAVED is None:
        raise RuntimeError("dxlib.batch.kernelstate.reset called before warm_up")
    import matplotlib
    import matplotlib.pyplot as plt
    import matplotlib.units
    import numpy as np
    import pandas as pd
    from IPython import get_ipython

    s = _SAVED
    plt.close("all")
    matplotlib.rcParams._update_raw(s["rc"])
    matplotlib.units.registry.clear()
    matplotlib.units.registry.update(s["units"])
    warnings.filters[:] = s["warnings"]
    warnings.showwarning = s["showwarning"]
    warnings.formatwarning = s["formatwarning"]
    # every "shown once" registry is now stale, as in a new process: CPython's hook behind
    # simplefilter() and resetwarnings(), or (where it is missing) a filter added and removed
    mutated = getattr(warnings, "_filters_mutated", None)
    if mutated is not None:
        mutated()
    else:
        warnings.simplefilter("default")
        del warnings.filters[0]
    _restore_environ(s["environ"])
    sys.path[:] = s["sys_path"]
    if locale.setlocale(locale.LC_ALL) != s["locale"]:
        locale.setlocale(locale.LC_ALL, s["locale"])
    np.set_printoptions(**s["np_print"])
    np.seterr(**s["np_err"])
    changed = {k: v for k, v in _pandas_options().items() if k in s["pandas"] and v != s["pandas"][k]}
    for key in changed:
        pd.set_option(key, s["pandas"][key])
    root = logging.getLogger()
    root.setLevel(s["log_level"])
    root.handlers[:] = s["log_handlers"]
    _restore_modules(s["modules"])
    _drop_new_local_modules(s["module_names"])
    ip = get_ipython()
    if ip is not None:
        ip.reset(new_session=True)
    os.chdir(cwd)
