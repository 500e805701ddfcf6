"""What ``driftscope drift`` prints: the sections of a report (feature, prediction and
target drift) and drift per chunk, as tables and JSON.

>>> from rich.console import Console
>>> from driftscope.drift.results import DriftReport, DriftResult
>>> console = Console(width=100, color_system=None)
>>> target = DriftResult("target", {}, skipped={"y": "only in the baseline data"})
>>> with console.capture() as cap:
...     print_sections(DriftReport(feature_drift=DriftResult("feature", {}),
...                                target_drift=target), console)
>>> "Target drift: y not checked: only in the baseline data" in cap.get()
True
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from driftscope.drift.formatting import chunks_line
from driftscope.report.console import plain, print_result

if TYPE_CHECKING:
    from driftscope.drift.chunks import ChunkedDrift
    from driftscope.drift.results import DriftReport, DriftResult

TITLES = {"feature": "Feature drift", "prediction": "Prediction drift", "target": "Target drift"}


def _print_section(result: DriftResult, console: Console) -> None:
    title = TITLES.get(result.kind, result.kind)
    if result.features:
        console.print()
        print_result(result, console, title=title)
        return
    for name, reason in result.skipped.items():  # the column is on one side only
        console.print(plain(f"{title}: {name} not checked: {reason}", style="dim"))


def print_sections(report: DriftReport, console: Console) -> None:
    """Feature drift, then prediction and target drift when the report has them; a section
    whose column is on one side only is one quiet line."""
    if report.feature_drift is not None:
        print_result(report.feature_drift, console)
    for result in (report.prediction_drift, report.target_drift):
        if result is not None:
            _print_section(result, console)


def report_json(report: DriftReport) -> dict[str, Any]:
    """The JSON of ``driftscope drift``: the feature drift result (the documented
    ``DriftResult`` document), with ``prediction_drift`` and ``target_drift`` added when
    those roles were given."""
    assert report.feature_drift is not None
    doc = report.feature_drift.to_dict()
    for key, result in (
        ("prediction_drift", report.prediction_drift),
        ("target_drift", report.target_drift),
    ):
        if result is not None:
            doc[key] = result.to_dict()
    return doc


def to_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, allow_nan=False)


def chunks_table(chunked: ChunkedDrift) -> Table:
    """The overview: one row per chunk with its rows, drifted columns, score and verdict.

    >>> from driftscope.drift.chunks import ChunkedDrift
    >>> chunks_table(ChunkedDrift(())).row_count
    0
    """
    by = "per chunk"
    if chunked.window:
        by = f"per {chunked.window}"
    elif chunked.chunk_size:
        by = f"per {chunked.chunk_size:,} rows"
    table = Table(title=f"Drift {by}", title_justify="left", header_style="bold")
    table.add_column("drift", no_wrap=True)
    table.add_column("chunk", no_wrap=True)
    table.add_column("rows", justify="right")
    table.add_column("drifted columns", overflow="fold")
    table.add_column("score", justify="right")
    extra = [
        kind
        for kind in ("prediction", "target")
        if any(getattr(c, f"{kind}_drift") is not None for c in chunked.chunks)
    ]
    for kind in extra:
        table.add_column(kind, no_wrap=True)
    for chunk in chunked.chunks:
        result = chunk.result
        drifted = result.drifted_features
        names = f"{len(drifted)} of {len(result.features)}"
        if drifted:
            shown = ", ".join(drifted[:6]) + (f" +{len(drifted) - 6}" if len(drifted) > 6 else "")
            names += f": {shown}"
        cells = ["DRIFT" if chunk.has_drift else "ok", plain(chunk.label), f"{chunk.rows:,}"]
        cells += [plain(names), f"{result.score:.3f}"]
        for kind in extra:
            section = getattr(chunk, f"{kind}_drift")
            cells.append("—" if section is None else "DRIFT" if section.has_drift else "ok")
        table.add_row(*cells, style="bold red" if chunk.has_drift else None)
    return table


def print_chunks(chunked: ChunkedDrift, console: Console) -> None:
    """The overview table and its summary line, then the detail of each drifting chunk."""
    console.print(chunks_table(chunked))
    console.print(plain(chunks_line(chunked), style="bold red" if chunked.has_drift else "green"))
    for chunk in chunked.chunks:
        for result in chunk.sections:
            if result.has_drift:
                console.print()
                title = f"Chunk {chunk.label}: {TITLES.get(result.kind, result.kind).lower()}"
                print_result(result, console, title=title)
