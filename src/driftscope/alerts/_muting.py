"""Whether an alert is muted now: by an active silence, or by a firing alert that
inhibits it (see :mod:`driftscope.alerts.silences` and :mod:`driftscope.alerts.inhibition`),
and the audit entry saying that it changed.

>>> import tempfile
>>> from datetime import datetime, UTC
>>> from driftscope.store import open_store
>>> from driftscope.alerts.inhibition import DEFAULT_INHIBIT_RULES
>>> from driftscope.alerts.model import Alert
>>> crit = Alert.of("critical", "Accuracy low", labels={"model": "churn"})
>>> warn = Alert.of("warning", "Drift", labels={"model": "churn"})
>>> with open_store(tempfile.mkdtemp()) as store:
...     muter = Muter(store, DEFAULT_INHIBIT_RULES, datetime.now(UTC), [crit])
...     muter.muted_by(warn) == f"inhibited:{crit.fingerprint}", muter.muted_by(crit)
(True, '')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from driftscope.alerts.alertbook import FIRING, AlertBook, AlertRecord
from driftscope.alerts.inhibition import Inhibitor, InhibitRule
from driftscope.alerts.model import Alert
from driftscope.alerts.silences import Silence
from driftscope.alerts.silences import active as active_silences
from driftscope.store.state import AuditEntry, StateStore


class Muter:
    """Active silences and inhibiting alerts at one moment, loaded when first asked."""

    def __init__(
        self,
        store: StateStore,
        rules: Sequence[InhibitRule],
        now: datetime,
        firing: Iterable[Alert] | None = None,
        book: AlertBook | None = None,
    ):
        self._store, self._rules, self._now, self._book = store, rules, now, book
        self._silences: list[Silence] | None = None
        self._inhibitor = None if firing is None else Inhibitor(rules, firing)

    def _inhibiting(self) -> Inhibitor:
        if self._inhibitor is None:
            assert self._book is not None
            self._inhibitor = Inhibitor(
                self._rules, [r.alert for r in self._book.find(state=FIRING)]
            )
        return self._inhibitor

    def muted_by(self, alert: Alert) -> str:
        """``"silence:<id>"``, ``"inhibited:<fingerprint>"`` or ``""``."""
        if self._silences is None:
            self._silences = active_silences(self._store, self._now)
        for silence in self._silences:
            if silence.matches(alert.labels):
                return f"silence:{silence.id}"
        if self._rules:
            source = self._inhibiting().muted_by(alert)
            if source is not None:
                return f"inhibited:{source}"
        return ""

    def firing(self, alert: Alert) -> None:
        if self._rules:
            self._inhibiting().add(alert)


def mute_entry(rec: AlertRecord, muted_by: str, now: datetime) -> AuditEntry:
    kind, _, by = muted_by.partition(":")
    if not muted_by:
        action, reason = "alert.unmuted", "no silence or inhibiting alert mutes it any more"
    elif kind == "silence":
        action, reason = "alert.silenced", f"silence {by}"
    else:
        action, reason = "alert.inhibited", f"inhibited by alert {by}"
    return AuditEntry(
        action, rec.model, rec.fingerprint, reason, details={"muted_by": muted_by}, at=now
    )
