"""Loading and validating the curriculum and the program, once, at start-up."""

from academy.content.loader import Content, ContentError, load_content
from academy.content.source import Problem

__all__ = ["Content", "ContentError", "Problem", "load_content"]
