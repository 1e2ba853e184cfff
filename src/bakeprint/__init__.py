"""bakeprint: batch traceability and precise recall for short-life pastries."""

__version__ = "0.1.0"
