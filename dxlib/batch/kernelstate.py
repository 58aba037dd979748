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
  ``functools.cache`` cleared; the *contents* of every module-level dict, list and set (a
  notebook that writes ``words.STATUS_WORDS[key] = ...`` changes the object, not the name) put
  back from a deep copy taken at warm-up; skipped: containers of more than
  :data:`MAX_CONTAINER_ITEMS` items and ones holding an object that cannot be deep-copied (none
  of dxlib's today), mutable objects of other types (a class attribute, a dataclass instance,
  a list inside a tuple);
- modules first imported by a notebook that are not installed packages (dxlib's, a helper module
  next to a notebook: any file outside ``sys.prefix``) are dropped from ``sys.modules``, so that
  the next notebook imports its own;
- the interpreter: ``builtins`` (names added removed, replaced ones put back), the recursion
  limit, the thread switch interval, the integer string-conversion limit, the file-creation
  mask (``os.umask``), the ``decimal`` context, the default socket timeout,
  ``logging.disable``, numpy's ``seterrcall``; ``time.tzset()`` after the environment;
- random numbers: numpy's global generator (its bit generator put back if replaced) and
  Python's ``random`` are seeded anew from the system's entropy, as in a new process: a
  notebook's ``np.random.seed(7)`` does not reach the next one, and an unseeded notebook gets
  new numbers (restoring the warm-up's state instead would hand every unseeded notebook the
  same ones);
- IPython beyond the namespace: every ``%config`` setting of the shell's configurables (the
  InlineBackend's ``figure_formats``, ``rc`` etc., ``ast_node_interactivity``, the formatters'
  ``float_precision`` of ``%precision``), the display formatters' printers (``for_type``,
  ``for_type_by_name``, singletons) and their set, event callbacks, AST and input
  transformers, magics, loaded extensions (``%load_ext`` loads again), custom exception
  handlers.

Not restored (documented limits): objects *mutated in place* inside installed third-party
modules; installed packages a notebook imported first stay imported (their import-time output
is not repeated); threads, signal handlers, ``atexit`` functions, import hooks
(``sys.meta_path``: an installed package imported first may have added its own) and trace or
profile functions a notebook started or set; loggers other than the root one. A notebook that
fails, times out or kills its kernel never hands its kernel on: the runner replaces it
(:mod:`dxlib.batch.kernels`).

After warm-up the surviving objects are moved to the permanent generation (``gc.freeze()``), so
that the garbage collection of IPython's reset scans only what notebooks made (0.1 s -> 0.01 s).
"""

from __future__ import annotations

import copy
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
#: A module-level dict, list or set of dxlib with more items than this is not saved (none comes
#: near: the largest, ``dxlib.report.words.LABELS``, has about a hundred).
MAX_CONTAINER_ITEMS = 10_000

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


def _umask() -> int:
    mask = os.umask(0o022)  # reading the mask means setting it
    os.umask(mask)
    return mask


def _save_containers(modules: dict[str, Any]) -> list[tuple[Any, Any]]:
    """``(container, deep copy)`` of every module-level dict, list and set of dxlib's modules
    (dunder names and this module aside); one that cannot be deep-copied or has more than
    :data:`MAX_CONTAINER_ITEMS` items is skipped."""
    saved = []
    for name, module in modules.items():
        if name == __name__:
            continue
        for key, value in vars(module).items():
            if key.startswith("__") or not isinstance(value, (dict, list, set)):
                continue
            if len(value) > MAX_CONTAINER_ITEMS:
                continue
            try:
                saved.append((value, copy.deepcopy(value)))
            except Exception:  # noqa: BLE001 - holds an object that cannot be copied
                continue
    return saved


def _differs(live: Any, saved: Any) -> bool:
    """``live != saved``; True when they cannot be compared (an array inside: restore)."""
    try:
        return not bool(live == saved)
    except Exception:  # noqa: BLE001 - any comparison error means "put it back"
        return True


def _restore_containers(saved: list[tuple[Any, Any]]) -> None:
    for live, original in saved:
        if not _differs(live, original):
            continue
        fresh = copy.deepcopy(original)  # the saved copy itself is never handed out
        if isinstance(live, list):
            live[:] = fresh
        else:
            live.clear()
            live.update(fresh)


def _config_values(obj: Any) -> dict[str, Any]:
    """Deep copies of ``obj``'s ``config=True`` traits; one that cannot be copied, or whose copy
    does not compare equal to it (it would be set again at every reset), is left out."""
    values = {}
    for name in obj.trait_names(config=True):
        value = getattr(obj, name)
        try:
            saved = copy.deepcopy(value)
        except Exception:  # noqa: BLE001 - a value that cannot be copied is not restored
            continue
        if not _differs(value, saved):
            values[name] = saved
    return values


def _formatters(ip: Any) -> list[Any]:
    fm = ip.display_formatter
    return [*fm.formatters.values(), fm.ipython_display_formatter, fm.mimebundle_formatter]


def _save_ipython(ip: Any) -> dict[str, Any]:
    """What a notebook can change in the shell beyond its namespace and history: ``%config``
    settings (the InlineBackend's figure formats and rc among them), the display formatters'
    printers, event callbacks, AST and input transformers, magics, loaded extensions, custom
    exception handlers."""
    fm = ip.display_formatter
    formatters = _formatters(ip)
    configurables = list(dict.fromkeys([*ip.configurables, fm, *formatters]))
    return {
        "config": [(obj, _config_values(obj)) for obj in configurables],
        "formatter_map": dict(fm.formatters),
        "printers": [(f, dict(f.type_printers), dict(f.deferred_printers),
                      dict(f.singleton_printers)) for f in formatters],
        "events": {k: list(v) for k, v in ip.events.callbacks.items()},
        "ast_transformers": list(ip.ast_transformers),
        "input_post": list(ip.input_transformers_post),
        "input_cleanup": list(ip.input_transformers_cleanup),
        "magics": {kind: dict(table) for kind, table in ip.magics_manager.magics.items()},
        "extensions": set(ip.extension_manager.loaded),
        "custom_exceptions": ip.custom_exceptions,
    }


def _restore_ipython(ip: Any, saved: dict[str, Any]) -> None:
    for obj, values in saved["config"]:  # first: a changed figure format re-registers printers
        for name, value in values.items():
            if _differs(getattr(obj, name), value):
                setattr(obj, name, copy.deepcopy(value))
    fm = ip.display_formatter
    if fm.formatters != saved["formatter_map"]:
        fm.formatters = dict(saved["formatter_map"])
    for formatter, types, deferred, singletons in saved["printers"]:
        for live, original in ((formatter.type_printers, types),
                               (formatter.deferred_printers, deferred),
                               (formatter.singleton_printers, singletons)):
            if live != original:
                live.clear()
                live.update(original)
    for event, callbacks in saved["events"].items():
        ip.events.callbacks[event][:] = callbacks
    ip.ast_transformers[:] = saved["ast_transformers"]
    ip.input_transformers_post[:] = saved["input_post"]
    ip.input_transformers_cleanup[:] = saved["input_cleanup"]
    for kind, table in saved["magics"].items():
        live = ip.magics_manager.magics[kind]
        if live != table:
            live.clear()
            live.update(table)
    ip.extension_manager.loaded.clear()
    ip.extension_manager.loaded.update(saved["extensions"])
    ip.custom_exceptions = saved["custom_exceptions"]


def _save_process() -> dict[str, Any]:
    """Interpreter-wide settings a notebook can change with one call."""
    import builtins
    import decimal
    import socket

    import numpy as np

    return {
        "builtins": dict(vars(builtins)),
        "recursion_limit": sys.getrecursionlimit(),
        "switch_interval": sys.getswitchinterval(),
        "int_max_str_digits": getattr(sys, "get_int_max_str_digits", lambda: None)(),
        "umask": _umask(),
        "decimal": decimal.getcontext().copy(),
        "socket_timeout": socket.getdefaulttimeout(),
        "log_disable": logging.root.manager.disable,
        "np_errcall": np.geterrcall(),
        "np_bit_generator": np.random.get_bit_generator(),
    }


def _restore_process(saved: dict[str, Any]) -> None:
    import builtins
    import decimal
    import random
    import socket
    import time

    import numpy as np

    namespace = vars(builtins)
    for key in [k for k in namespace if k not in saved["builtins"]]:
        del namespace[key]
    for key, value in saved["builtins"].items():
        if namespace.get(key, _MISSING) is not value:
            namespace[key] = value
    if sys.getrecursionlimit() != saved["recursion_limit"]:
        sys.setrecursionlimit(saved["recursion_limit"])
    sys.setswitchinterval(saved["switch_interval"])
    if saved["int_max_str_digits"] is not None:
        sys.set_int_max_str_digits(saved["int_max_str_digits"])
    os.umask(saved["umask"])
    decimal.setcontext(saved["decimal"].copy())
    socket.setdefaulttimeout(saved["socket_timeout"])
    logging.disable(saved["log_disable"])
    np.seterrcall(saved["np_errcall"])
    # random number generators: seeded anew from the system's entropy, as in a new process
    # (restoring the warm-up's state would give every unseeded notebook the same numbers)
    if np.random.get_bit_generator() is not saved["np_bit_generator"]:
        np.random.set_bit_generator(saved["np_bit_generator"])
    np.random.seed()
    random.seed()
    time.tzset()  # after os.environ: a notebook may have set TZ and called tzset()


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
    from IPython import get_ipython

    root = logging.getLogger()
    modules = _dxlib_modules()
    ip = get_ipython()
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
        "modules": {n: dict(vars(m)) for n, m in modules.items()},
        "containers": _save_containers(modules),
        "module_names": set(sys.modules),
        "process": _save_process(),
        "ipython": _save_ipython(ip) if ip is not None else None,
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
    _restore_containers(s["containers"])
    _drop_new_local_modules(s["module_names"])
    _restore_process(s["process"])
    ip = get_ipython()
    if ip is not None:
        ip.reset(new_session=True)
        if s["ipython"] is not None:
            _restore_ipython(ip, s["ipython"])
    os.chdir(cwd)
