"""Knowledge: the client companies' procedures as articles, searched during the call, and
the policy bulletins agents read and acknowledge. Pure: no I/O, no SQL."""
