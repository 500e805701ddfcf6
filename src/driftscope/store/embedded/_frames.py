"""Arrow tables to pandas DataFrames the way every store returns them.

Numbers, booleans and times convert as pyarrow converts them (times stay timezone-aware
UTC); text becomes ``object`` columns holding ``str`` and ``None`` for missing values, the
same whatever pandas' default string dtype is. Dictionary-encoded text converts through its
dictionary, so a low-cardinality column of millions of rows costs one Python string per
distinct value.

>>> import pyarrow as pa
>>> frame = to_pandas(pa.table({"s": pa.array(["a", None, "a"]).dictionary_encode(),
...                             "x": [1.0, 2.0, 3.0]}))
>>> frame["s"].tolist(), str(frame["s"].dtype), frame["x"].tolist()
(['a', None, 'a'], 'object', [1.0, 2.0, 3.0])
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from driftscope.store.embedded._segments import is_text


def text_to_objects(column: pa.ChunkedArray) -> np.ndarray:
    """A text column (plain or dictionary-encoded) as an object array with None for nulls."""
    if not pa.types.is_dictionary(column.type):
        return column.to_numpy(zero_copy_only=False)
    parts = []
    for chunk in column.chunks:
        values = np.empty(len(chunk.dictionary) + 1, dtype=object)
        values[:-1] = chunk.dictionary.to_numpy(zero_copy_only=False)
        values[-1] = None
        indices = chunk.indices
        if indices.null_count:
            indices = indices.fill_null(len(chunk.dictionary))
        parts.append(values[indices.to_numpy()])
    if not parts:
        return np.empty(0, dtype=object)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """``table`` as a DataFrame (see the module docstring); the table is consumed."""
    text = [(i, f.name) for i, f in enumerate(table.schema) if is_text(f.type)]
    objects = {name: text_to_objects(table.column(name)) for _, name in text}
    rows = table.num_rows
    rest = table.drop_columns([name for _, name in text])
    del table
    if rest.num_columns:
        frame = rest.to_pandas(split_blocks=True, self_destruct=True)
    else:
        frame = pd.DataFrame(index=pd.RangeIndex(rows))
    del rest
    for position, name in text:
        # an explicit object dtype: pandas 3 would otherwise infer its own string dtype
        frame.insert(position, name, pd.Series(objects.pop(name), index=frame.index, dtype=object))
    return frame
