"""Quality: scorecards, their score arithmetic, evaluations' lifecycle, fair sampling of
contacts to evaluate, calibration spreads and trends. Pure: no I/O, no clock of its own."""
