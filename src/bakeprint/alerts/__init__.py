"""Alerts on all three levels (R2.5): environment excursions (level 1 and 2,
``environment``), batches that need attention and level-3 alerts with their
impact report and recall draft (``attention``), and the QC tasks they give."""
