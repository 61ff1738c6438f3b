"""Workforce planning: queueing formulas, staffing, history import, forecasts, plans."""
