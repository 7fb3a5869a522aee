"""Course library for the Kosovo–Serbia course: data, text tools, timelines, plots, widgets, checks.

Importing :mod:`course` is cheap: matplotlib and ipywidgets load only when a plot or widget is made.
"""

__version__ = "0.1.0"
