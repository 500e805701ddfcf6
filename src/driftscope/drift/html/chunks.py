"""The HTML fragment of drift per chunk: one row per chunk, one cell per column, coloured by
the column's verdict in that chunk (red drift, green ok, grey not checked); hovering a cell
shows its score and p-value. Self-contained: its few style rules travel with it.

>>> from driftscope.drift.chunks import Chunk, ChunkedDrift
>>> from driftscope.drift.results import ColumnDrift, DriftResult
>>> col = ColumnDrift("<age>", "numerical", True, 0.3, "ks", 0.4, 1e-9, 0.05)
>>> chunked = ChunkedDrift((Chunk("2026-03-02", None, None, 10, DriftResult("feature",
...                         {col.column: col})),), window="day")
>>> html = chunks_section(chunked)
>>> html.startswith('<section class="chunks"'), "&lt;age&gt;" in html, "<age>" in html
(True, True, False)
"""

from __future__ import annotations

from html import escape

from driftscope.drift.chunks import ChunkedDrift
from driftscope.drift.formatting import fmt_p
from driftscope.drift.results import DriftReport

STYLE = (
    ".chunks .grid td.c{min-width:1.6em;text-align:center;font-size:.8em}"
    ".chunks .grid td.drift{background:#e5484d;color:#fff}"
    ".chunks .grid td.ok{background:#d3f2dc}"
    ".chunks .grid td.none{background:#eee}"
    ".chunks .grid th.col{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:normal}"
    ".chunks .grid tr.drifted th.label{color:#e5484d}"
)


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def chunks_report_section(report: DriftReport) -> str:
    """The section of a report's drift per chunk ("" when it has none)."""
    return "" if report.chunks is None else chunks_section(report.chunks)


def chunks_section(chunked: ChunkedDrift) -> str:
    """The ``<section>`` of a :class:`~driftscope.drift.chunks.ChunkedDrift`."""
    by = f"{chunked.window}s of {chunked.timestamp_column}" if chunked.window else "chunks"
    if chunked.chunk_size is not None:
        by = f"{chunked.chunk_size:,} rows each"
    drifted = len(chunked.drifted_chunks)
    summary = (
        f"{drifted} of {len(chunked.chunks)} chunks ({_e(by)}) show drift."
        if chunked.chunks
        else "No chunk: the production data has no rows."
    )
    columns = chunked.columns
    head = "".join(f'<th class="col" scope="col">{_e(name)}</th>' for name in columns)
    rows = []
    for chunk in chunked.chunks:
        result = chunk.result
        cells = []
        for name in columns:
            col = next((r.features[name] for r in chunk.sections if name in r.features), None)
            if col is None:
                why = result.skipped.get(name, "not checked")
                cells.append(f'<td class="c none" title="{_e(name)}: {_e(why)}">·</td>')
                continue
            state = "drift" if col.drifted else "ok"
            tip = f"{name}: score {col.score:.3f}, p {fmt_p(col.p_value)}, {col.method}"
            mark = "✕" if col.drifted else ""
            cells.append(f'<td class="c {state}" title="{_e(tip)}">{mark}</td>')
        flagged = ' class="drifted"' if chunk.has_drift else ""
        rows.append(
            f'<tr{flagged}><th class="label" scope="row">{_e(chunk.label)}</th>'
            f"<td>{chunk.rows:,}</td><td>{len(result.drifted_features)}</td>"
            f"<td>{result.score:.3f}</td>{''.join(cells)}</tr>"
        )
    return (
        f'<section class="chunks"><style>{STYLE}</style><h2>Drift per chunk</h2>'
        f"<p>{summary}</p>"
        '<div class="scroll"><table class="grid"><thead><tr><th scope="col">chunk</th>'
        '<th scope="col">rows</th><th scope="col">drifted</th><th scope="col">score</th>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div></section>"
    )
