"""One exception type for every user mistake, so the CLI can print it without a traceback."""


class CifarError(Exception):
    """Bad input to the trainer: the message names what was wrong, where, and what to do."""
