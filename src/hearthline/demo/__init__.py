"""`hearthline demo`: a simulated day running through the real server, in the browser."""
