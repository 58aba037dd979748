"""The engine: forecasts of short annual series, attainment probabilities, roll-up, evaluation.

Nothing here reads files, draws or prints: every function takes data frames and returns them.
"""
