"""Manuscript figures drawn with matplotlib (no Graphviz binary): path diagram, Likert response bars."""
from .likert import likert_figure
from .path_diagram import path_diagram, structural_graph

__all__ = ["likert_figure", "path_diagram", "structural_graph"]
