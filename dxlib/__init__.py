"""dxlib: forecast digital-transformation indicators and the calibrated probability that each
target of a plan is reached.

The package is organised one module per step of the data's way:

- :mod:`dxlib.data`        load and validate the data files (catalogue, targets, observations)
- :mod:`dxlib.engine.forecast`    short annual series -> calibrated predictive distributions
- :mod:`dxlib.engine.attainment`  probability, status, required vs observed growth, as-of evaluation
- :mod:`dxlib.engine.rollup`      pillar roll-up
- :mod:`dxlib.report.words`        words, status colours and labels in Vietnamese and English
- :mod:`dxlib.report.plots`       figures (matplotlib, seaborn's style)
- :mod:`dxlib.batch`      the Papermill batch runner, HTML rendering and the index
- :mod:`dxlib.cli`         the ``dx`` command line

Forecasting and attainment do no I/O and know nothing of notebooks, plots or the command line.
"""

__version__ = "0.1.0"
