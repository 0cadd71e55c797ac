"""The data layer: what the raw files are and how they become ``data/processed/claims.csv``.

Uses neither the analysis nor the report; everything above may use it.
"""
