"""The ``driftscope`` command line: a thin shell over the library.

Exit codes: 0 success (drift or not), 1 drift found with ``--fail-on-drift``, 2 bad input
(one ``driftscope: error: ...`` line on stderr), 3 an internal error (a bug), 130 interrupted.
"""

from driftscope.cli.app import EXIT_DRIFT, EXIT_INTERNAL, EXIT_OK, cli, main, progress_bar

__all__ = ["EXIT_DRIFT", "EXIT_INTERNAL", "EXIT_OK", "cli", "main", "progress_bar"]
