"""dxlib: forecast digital-transformation indicators and the calibrated probability that each
target of a plan is reached.

The package follows the data's way, one subpackage per stage: data -> model -> engine -> report
-> batch -> cli. Each stage imports only from the stages before it (and the helpers below).

- :mod:`dxlib.data`      read and validate the files: tables, YAML, schema, catalogue, registry,
  observations, checks, the Excel entry template
- :mod:`dxlib.model`     the vocabulary, without I/O: Dataset (one as-of and one full-year rule),
  TargetRegistry, kinds of series
- :mod:`dxlib.engine`    computation on frames, no I/O: forecasts, attainment, censoring,
  roll-up, evidence grades, coverage, evaluation, analyses
- :mod:`dxlib.report`    what the notebooks show: words in Vietnamese and English, Babel number
  formats, prose templates, tables, plots
- :mod:`dxlib.batch`     the generic Papermill batch runner: manifest, execute, executors,
  render, provenance, run
- :mod:`dxlib.cli`       the ``dx`` command line (click); ``python -m dxlib`` is the same

Helpers used across stages: :mod:`dxlib.errors` (errors a user can act on), :mod:`dxlib.paths`
(paths anchored at the project root), :mod:`dxlib.fileio` (checked paths, atomic writes),
:mod:`dxlib.forecast_input` (the table ``dx forecast`` reads), :mod:`dxlib.forecast` (the stable
import path of the public forecast API), :mod:`dxlib.profiles` (the shipped error profiles).
The README's "Layout" section names every module.
"""

__version__ = "0.1.0"
