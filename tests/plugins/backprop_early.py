"""Loaded before pytest's other plugins (``-p backprop_early`` in pyproject.toml's addopts).

nbval's plugin imports nbformat, which validates notebooks with jsonschema, whose format checkers
import rfc3987_syntax when it is installed (JupyterLab's jupyter_events brings it): that builds a
Lark grammar at import, about a second of CPU in every test process (the controller and each
pytest-xdist worker). The notebook schema checks no IRI format, so the tests go without it: an
import of it raises ImportError, which jsonschema expects of a package that is not installed.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)
