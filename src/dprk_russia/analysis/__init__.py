"""The analysis layer: everything that computes a number (tables, pooled model, backtest,
contradictions, findings). Uses the data layer only; draws and formats nothing.
"""
