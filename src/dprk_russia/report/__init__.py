"""The report layer: everything that draws or writes prose (figures, charts, language, the
renderer, templates and styles). Uses the analysis and data layers; computes no finding.
"""
