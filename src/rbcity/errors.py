"""The one base class for errors a user can fix (bad name, bad filter, bad file, …).

Every layer raises subclasses of :class:`UserError` for bad input; the CLI prints their
message as one line and exits with status 2, the web API turns them into 4xx responses.
Anything else is a bug and keeps its traceback.
"""


class UserError(Exception):
    """Bad input from a user or a data file; the message says what and where."""
