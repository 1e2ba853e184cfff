"""Trace: from a complaint's code to the whole chain of one batch (R2.2)."""
