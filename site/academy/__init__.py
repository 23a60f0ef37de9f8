"""Mentor Academy: training and certification for volunteer course mentors."""

__version__ = "0.1.0"
