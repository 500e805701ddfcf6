"""The contracts every layer shares, at the bottom of the package.

- :mod:`~driftscope.core.records`: the logged-record layout and its column names;
- :mod:`~driftscope.core.status`: check statuses and their order;
- :mod:`~driftscope.core.checks`: the check-result point and the explanation of a window;
- :mod:`~driftscope.core.kinds`: column kinds;
- :mod:`~driftscope.core.windows`: the window grid every check cuts;
- :mod:`~driftscope.core.weights`: how sampling weights are read (one rule).

Nothing here imports another driftscope layer (only :mod:`driftscope.errors`).

>>> from driftscope.core import Status, CheckRecord
>>> Status.worst(["ok", "critical"]).value
'critical'
"""

from driftscope.core.checks import CheckRecord, Explanation
from driftscope.core.kinds import NUMERIC_KINDS, ColumnKind
from driftscope.core.status import STATUSES, Status

__all__ = ["NUMERIC_KINDS", "STATUSES", "CheckRecord", "ColumnKind", "Explanation", "Status"]
