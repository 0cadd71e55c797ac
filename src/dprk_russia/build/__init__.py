"""What drives make and papermill: build parameters, the notebook runner, the build lock,
JupyterLab's managers and the notebooks' context. May use every layer; no layer uses it.
"""
