"""Call control as a pure domain: the legs of each real call and their states. Audio never
enters the log; only who is connected to whom, and when."""
