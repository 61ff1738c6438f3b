"""The kernel: what every layer shares, in the standard library alone.

Ids, the clock, the one rule for text the log can hold, the envelope an event travels
in, the contract a domain fulfils, and the command line's usage error. Everything else
in Hearthline may import from here; the kernel imports nothing of Hearthline's.
"""
