"""driftscope: watch machine-learning models in production and say when they go wrong.

>>> import driftscope as ds
>>> ds.KSTest(significance_level=0.05)
KSTest(significance_level=0.05)
"""

from driftscope._version import __version__
from driftscope.drift import *  # noqa: F403
from driftscope.drift import __all__ as _drift_all
from driftscope.errors import (
    ConfigError,
    DataError,
    DriftscopeError,
    ReferenceFileError,
    StoreError,
    StoreUnavailableError,
)
from driftscope.monitor import (
    CostPrices,
    CostReport,
    Flag,
    HighValue,
    LowConfidence,
    ModelMonitor,
    SamplingPolicy,
)
from driftscope.store import EmbeddedStore, PostgresStore, Store, open_store

__all__ = [
    *_drift_all,
    "ConfigError",
    "CostPrices",
    "CostReport",
    "DataError",
    "DriftscopeError",
    "EmbeddedStore",
    "Flag",
    "HighValue",
    "LowConfidence",
    "ModelMonitor",
    "PostgresStore",
    "ReferenceFileError",
    "SamplingPolicy",
    "Store",
    "StoreError",
    "StoreUnavailableError",
    "__version__",
    "open_store",
]
