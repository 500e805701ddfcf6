"""Joining predictions with their labels: DuckDB finds the pairs, numpy places them.

DuckDB joins the ids of the prediction segments being read with every label of the model
(two threads, outside the GIL, while pyarrow decodes the predictions) and returns, for
each pair, the prediction's file and row number, the label's file and row number, the
label and ``labeled_at``. :func:`label_rows` maps those to rows of the result: the latest
``labeled_at`` wins, and on a tie the label recorded later (later file, later row).

>>> import pyarrow as pa
>>> matches = pa.table({"pf": [0, 0], "pr": [1, 1], "lf": [0, 1], "lr": [0, 0],
...     "label": [1, 0], "labeled_at": pa.array([5, 5], pa.timestamp("us", tz="UTC"))})
>>> label_rows(matches, np.array([0]), [None], 3).tolist()
[-1, 1, -1]
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from driftscope.core import records as r
from driftscope.store._span import ReadSpan
from driftscope.store.embedded._frames import to_pandas
from driftscope.store.embedded._scan import explain
from driftscope.store.embedded._segments import timestamps_us


def label_matches(
    duck: duckdb.DuckDBPyConnection, preds: list[str], labels: list[str], window: ReadSpan
) -> pa.Table:
    """(pf, pr, lf, lr, label, labeled_at) for every (prediction row, label) with the same
    id: pf/lf index the file lists, pr/lr are row numbers in those files."""
    where = []
    params: dict[str, object] = {"preds": preds, "labels": labels}
    if window.since is not None:
        where.append("p.timestamp >= $since")
        params["since"] = window.since
    if window.until is not None:
        where.append("p.timestamp < $until")
        params["until"] = window.until
    sql = (
        "SELECT p.file_index AS pf, p.file_row_number AS pr, l.file_index AS lf, "
        "l.file_row_number AS lr, l.label AS label, l.labeled_at AS labeled_at "
        "FROM read_parquet($preds, union_by_name = true) AS p "
        "JOIN read_parquet($labels, union_by_name = true) AS l "
        "ON p.prediction_id = l.prediction_id"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    try:
        return duck.sql(sql, params=params).to_arrow_table()
    except duckdb.Error as exc:
        raise explain(exc, [*preds, *labels]) from exc


def _positions(
    pf: np.ndarray, pr: np.ndarray, bases: np.ndarray, kept: list[np.ndarray | None]
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the concatenated table for file rows (pf, pr), and which were kept."""
    pos = bases[pf] + pr
    valid = np.ones(len(pf), dtype=bool)
    if all(k is None for k in kept):
        return pos, valid
    order = np.argsort(pf, kind="stable")
    bounds = np.searchsorted(pf[order], np.arange(len(kept) + 1))
    for i, rows in enumerate(kept):
        if rows is None:
            continue
        sel = order[bounds[i] : bounds[i + 1]]
        if not sel.size:
            continue
        j = np.searchsorted(rows, pr[sel])
        ok = j < len(rows)
        ok[ok] = rows[j[ok]] == pr[sel][ok]
        valid[sel] = ok
        pos[sel] = bases[i] + np.where(ok, j, 0)
    return pos, valid


def label_rows(
    matches: pa.Table, bases: np.ndarray, kept: list[np.ndarray | None], rows: int
) -> np.ndarray:
    """For each of ``rows`` output rows, the row of ``matches`` holding its latest label
    (-1: none). Latest ``labeled_at`` wins; on a tie, the label recorded later."""
    pf = matches.column("pf").to_numpy().astype(np.int64)
    pr = matches.column("pr").to_numpy().astype(np.int64)
    pos, valid = _positions(pf, pr, bases, kept)
    return latest_labels(matches, pos, np.flatnonzero(valid), rows)


def latest_labels(matches: pa.Table, pos: np.ndarray, found: np.ndarray, rows: int) -> np.ndarray:
    """For each of ``rows`` output rows, the row of ``matches`` holding its latest label
    (-1: none), where match ``found[i]`` belongs to output row ``pos[found[i]]``. Latest
    ``labeled_at`` wins; on a tie, the label recorded later (columns ``lf``, ``lr``)."""
    pos = pos[found]
    index = np.full(rows, -1, dtype=np.int64)
    index[pos] = found
    if np.count_nonzero(index >= 0) == len(pos):  # one label per row: done
        return index
    at = timestamps_us(matches.column("labeled_at"))[found]
    lf = matches.column("lf").to_numpy()[found]
    lr = matches.column("lr").to_numpy()[found]
    order = np.lexsort((lr, lf, at, pos))
    last = np.append(pos[order][1:] != pos[order][:-1], True)
    index[pos[order[last]]] = found[order[last]]
    return index


def label_columns(
    matches: pa.Table | None, index: np.ndarray | None, rows: int
) -> dict[str, pd.Series]:
    """The ``label`` and ``labeled_at`` Series for ``index`` (rows of ``matches``)."""
    if matches is None or index is None:
        table = pa.table({r.LABEL: pa.nulls(rows), r.LABELED_AT: pa.nulls(rows, r.TIMESTAMP_TYPE)})
    else:
        take = pa.array(index, mask=index < 0)
        table = pa.table(
            {
                r.LABEL: matches.column("label").take(take),
                r.LABELED_AT: matches.column("labeled_at").take(take).cast(r.TIMESTAMP_TYPE),
            }
        )
    frame = to_pandas(table)
    return {r.LABEL: frame[r.LABEL], r.LABELED_AT: frame[r.LABELED_AT]}
