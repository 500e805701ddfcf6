"""The ``driftscope`` command line: a thin shell over the library, one module per command.

Exit codes: 0 success (drift or not), 1 drift found with ``--fail-on-drift``, 2 bad input
(one ``driftscope: error: ...`` line on stderr), 3 an internal error (a bug), 130 interrupted.

>>> print(" ".join(sorted(cli.commands)))
alerts check demo drift history reference report retrain run scheduler
"""

from driftscope.cli import (
    alerts,
    check,
    demo,
    drift,
    history,
    reference,
    report,
    retrain,
    run,
    scheduler,
)
from driftscope.cli._progress import progress_bar
from driftscope.cli.app import (
    EXIT_DRIFT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    DriftscopeGroup,
    cli,
    main,
)

cli.add_command(alerts.alerts)
cli.add_command(check.check)
cli.add_command(demo.demo)
cli.add_command(drift.drift)
cli.add_command(reference.reference)
cli.add_command(history.history)
cli.add_command(report.report)
cli.add_command(retrain.retrain)
cli.add_command(run.run)
cli.add_command(scheduler.scheduler)

__all__ = [
    "EXIT_DRIFT",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "DriftscopeGroup",
    "cli",
    "main",
    "progress_bar",
]
