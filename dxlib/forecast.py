"""Stable import path of the public forecast API (the implementation lives in
:mod:`dxlib.engine.forecast`)."""

from dxlib.engine.forecast import KINDS, Forecast, forecast, forecast_table

__all__ = ["KINDS", "Forecast", "forecast", "forecast_table"]
