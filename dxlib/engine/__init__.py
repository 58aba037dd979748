"""The engine: forecasts of short annual series, attainment probabilities, roll-up, evaluation.

Nothing here reads files, draws or prints: every function takes data frames and returns them.

Modules:

- forecasting: :mod:`~dxlib.engine.forecast` (the public API: :func:`forecast`, :class:`Forecast`),
  :mod:`~dxlib.engine.series_input` (its input checked), :mod:`~dxlib.engine.scales`
  (transformed scales by kind), :mod:`~dxlib.engine.methods` (the point forecast)
- attainment: :mod:`~dxlib.engine.attainment` (:func:`assess_dataset`, the statuses),
  :mod:`~dxlib.engine.context` (what every row reads), :mod:`~dxlib.engine.rules` (comparators,
  statuses, notes, growth), :mod:`~dxlib.engine.targets_level`,
  :mod:`~dxlib.engine.targets_growth`, :mod:`~dxlib.engine.targets_ratio` (one kind of target
  each), :mod:`~dxlib.engine.censoring` (bounds and definition breaks),
  :mod:`~dxlib.engine.evidence` (evidence grades)
- after attainment: :mod:`~dxlib.engine.rollup` (pillars), :mod:`~dxlib.engine.evaluation`
  (backtests, hindcasts), :mod:`~dxlib.engine.analysis` (one target, e-commerce scenarios),
  :mod:`~dxlib.engine.coverage` (which targets have data)
- the statistics researchers expect: :mod:`~dxlib.engine.trend` (trend growth, OLS with
  Newey–West errors), :mod:`~dxlib.engine.reference` (statsmodels damped ETS and Theta, and a
  rolling-origin check of everyone's 80 % ranges)
"""
