"""Publishing: the data package, the Excel export, the data changelog, releases and the diff
of two builds. May use every layer; no layer uses it.
"""
