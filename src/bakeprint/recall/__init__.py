"""Recall (R2.4): from an impact scope to exactly the affected shops."""
