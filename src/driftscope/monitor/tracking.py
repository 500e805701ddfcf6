"""``@monitor.track_predictions``: log what a prediction function sees and returns.

The wrapper times the call, counts it (and its exception, re-raised unchanged), and logs
the input features (the ``features=`` argument, else the first positional one, skipping
``self``/``cls``) with the return value as the prediction and the latency in milliseconds as
``metadata.latency_ms``. The return value is the very object the function returned, and
nothing in the monitoring can make the call fail.

A call that raises an ``Exception`` is logged too, so error rates can be computed from the
store: its features, no prediction (null) and ``metadata.error`` = the exception's type name
(``"ValueError"``) beside ``metadata.latency_ms``; then the exception is re-raised, the same
object with its traceback. Checks leave these rows out of anything about predictions
(:func:`driftscope.health.context.successful`). Other ``BaseException`` types, which are
not errors of the model (task cancellation, ``KeyboardInterrupt``, ``SystemExit``), are
counted in ``operational_stats()`` but not logged. The success path is unchanged by this:
the error branch only runs when the function raised.

When the function logs for itself (``monitor.log_prediction`` inside the call, as in
examples that also decorate), the wrapper does not log a second record: it only counts the
call and its latency (and, when the function raises after logging, its error). The record
the function logs gets ``metadata.latency_ms`` = the time from the call's start to the
``log_prediction`` call (unless it gives one): the model's latency when it logs after
predicting, as usual serving code does.

>>> from driftscope.monitor.opstats import LatencyStats
>>> logged = []
>>> stats = LatencyStats()
>>> def log(features, prediction, metadata=None): logged.append((features, prediction))
>>> @track(log, stats)
... def predict(features):
...     return features["x"] * 2
>>> predict({"x": 21}), logged, stats.calls
(42, [({'x': 21}, 42)], 1)
>>> @track(lambda features, prediction, metadata=None: logged.append(metadata["error"]), stats)
... def fails(features):
...     raise ValueError("bad input")
>>> try:
...     fails({"x": 1})
... except ValueError as exc:
...     print(exc, logged[-1], stats.errors)
bad input ValueError 1
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import time
from collections.abc import Callable
from typing import Any

from driftscope.monitor.opstats import LatencyStats


class _Call:
    __slots__ = ("logged", "start")

    def __init__(self) -> None:
        self.logged = False
        self.start = 0.0  # perf_counter at the call's start


#: The tracked call in progress in this context (thread or task), if any.
CURRENT: contextvars.ContextVar[_Call | None] = contextvars.ContextVar(
    "driftscope_tracked_call", default=None
)

FeaturesFrom = str | Callable[[tuple[Any, ...], dict[str, Any]], Any] | None


def mark_logged() -> None:
    """Tell the tracked call in progress (if any) that it logged its own record."""
    call = CURRENT.get()
    if call is not None:
        call.logged = True


def _features_getter(
    fn: Callable[..., Any], features_from: FeaturesFrom
) -> Callable[[tuple[Any, ...], dict[str, Any]], Any]:
    if callable(features_from):
        return features_from
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        params = []
    name = features_from or "features"
    index = next((i for i, p in enumerate(params) if p.name == name), None)
    if index is None and features_from is None:
        positional = [
            i
            for i, p in enumerate(params)
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            and not (i == 0 and p.name in ("self", "cls"))
        ]
        index = positional[0] if positional else 0
        name = params[index].name if params else name

    def get(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if name in kwargs:
            return kwargs[name]
        if index is not None and index < len(args):
            return args[index]
        return None

    return get


def track(
    log: Callable[..., Any],
    stats: LatencyStats,
    *,
    prediction_from: Callable[[Any], Any] | None = None,
    features_from: FeaturesFrom = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A decorator logging through ``log(features, prediction, metadata=...)`` and counting
    into ``stats``. ``prediction_from`` maps the return value to the prediction;
    ``features_from`` names the argument holding the features (or is a function of
    ``(args, kwargs)``)."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        get_features = _features_getter(fn, features_from)

        def after(call: _Call, args: Any, kwargs: Any, result: Any, seconds: float) -> None:
            try:
                stats.record(seconds)
                if call.logged:
                    return
                prediction = result if prediction_from is None else prediction_from(result)
                log(
                    get_features(args, kwargs),
                    prediction,
                    metadata={"latency_ms": seconds * 1000.0},
                )
            except Exception:
                stats.monitoring_error()

        def failed(call: _Call, args: Any, kwargs: Any, exc: BaseException, seconds: float) -> None:
            """Count a failed call and log it (an ``Exception`` only, unless the function
            logged its own record); the caller re-raises ``exc``, never one of ours."""
            try:
                stats.record(seconds, error=True)
                if call.logged or not isinstance(exc, Exception):
                    return
                log(
                    get_features(args, kwargs),
                    None,
                    metadata={"latency_ms": seconds * 1000.0, "error": type(exc).__name__},
                )
            except Exception:
                with contextlib.suppress(Exception):
                    stats.monitoring_error()

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                call = _Call()
                token = CURRENT.set(call)
                start = call.start = time.perf_counter()
                try:
                    result = await fn(*args, **kwargs)
                except BaseException as exc:
                    failed(call, args, kwargs, exc, time.perf_counter() - start)
                    raise
                finally:
                    CURRENT.reset(token)
                after(call, args, kwargs, result, time.perf_counter() - start)
                return result

            return async_wrapper

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            call = _Call()
            token = CURRENT.set(call)
            start = call.start = time.perf_counter()
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:
                failed(call, args, kwargs, exc, time.perf_counter() - start)
                raise
            finally:
                CURRENT.reset(token)
            after(call, args, kwargs, result, time.perf_counter() - start)
            return result

        return wrapper

    return decorate
