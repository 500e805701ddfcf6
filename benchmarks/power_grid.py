"""The trials of the power benchmark, the loop that counts verdicts on them, and its table.

Imported by ``bench_power.py`` (driftscope and the single SciPy tests) and by
``power_others.py`` (Evidently and NannyML, run in another virtualenv), so it needs only NumPy:
both sides regenerate exactly the same samples from the same random seeds (one
``SeedSequence`` per trial, from the cell's name and the trial's number).

The grid (reference and current of equal size ``n``; each change applies to the current side):

- numerical: ``normal`` N(0, 1); ``lognormal`` LN(0, 1); ``poisson3`` Poisson(3); ``zero30``
  30 % exact zeros and 70 % Gamma(2, 1). Changes: a mean shift of 0.01 to 0.5 reference
  standard deviations, and the variance times 1.5 with the mean kept. Each change keeps the
  distribution in its family where that is natural: the normal and log-normal shift is
  additive (a pure location shift); Poisson(3) becomes Poisson(3 + d·√3) and, for the wider
  variance, a negative binomial with mean 3 and variance 4.5; the log-normal widens to the
  log-normal with the same mean and 1.5 times the variance; ``zero30`` keeps its zeros and
  moves or widens its Gamma part so that the mixture's mean moves by d SD or its variance
  grows 1.5 times.
- categorical (labels as text): ``cat5`` five levels with shares 40/25/20/10/5 %; ``cat50``
  fifty levels with Zipf shares (1/k, the largest 22 %); ``idlike`` ids drawn from a pool of
  10^7, nearly all distinct. Changes: a share move of +0.02 to +0.10, taken from the largest
  level and given to the third (``cat5``: 20 % becomes 22-30 %) or tenth (``cat50``: 2.2 %
  becomes 4.2-12.2 %); on ``idlike`` one id takes that share of the current rows.
- every (distribution, n) also has the no-change cell, where any flag is a false alarm.

>>> cell = Cell("normal", Change("shift", 0.5), 200)
>>> ref, cur = draw(cell, trial=0)
>>> ref.shape, cur.shape
((200,), (200,))
>>> bool(abs(cur.mean() - ref.mean() - 0.5) < 0.3)
True
>>> np.array_equal(draw(cell, 0)[1], cur)  # the same seed gives the same samples
True
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

NUMERICAL = ("normal", "lognormal", "poisson3", "zero30")
CATEGORICAL = ("cat5", "cat50", "idlike")
DISTRIBUTIONS = NUMERICAL + CATEGORICAL
SIZES = (200, 2_000, 20_000, 200_000)
LARGE = 200_000  # cells of this size run fewer trials
DEFAULT_TRIALS = 50  # per cell; n = 200,000 cells run a fifth (driftscope's side: ~3 minutes)


@dataclass(frozen=True)
class Change:
    """What happens to the current sample: ``kind`` is ``none``, ``shift`` (mean moved by
    ``size`` reference SDs), ``variance`` (variance times ``size``, mean kept) or ``share``
    (``size`` of the mass moved to one level)."""

    kind: str
    size: float = 0.0

    @property
    def label(self) -> str:
        """How the table names the change, e.g. ``mean +0.1 SD``."""
        if self.kind == "shift":
            return f"mean +{self.size:g} SD"
        if self.kind == "variance":
            return f"variance ×{self.size:g}"
        if self.kind == "share":
            return f"share +{self.size:.2f}"
        return "no change"


NO_CHANGE = Change("none")
NUMERICAL_CHANGES = (
    NO_CHANGE,
    *(Change("shift", d) for d in (0.01, 0.05, 0.1, 0.2, 0.5)),
    Change("variance", 1.5),
)
CATEGORICAL_CHANGES = (NO_CHANGE, *(Change("share", s) for s in (0.02, 0.05, 0.10)))


@dataclass(frozen=True)
class Cell:
    """One cell of the grid: a distribution, a change and the size of each sample."""

    distribution: str
    change: Change
    n: int

    @property
    def kind(self) -> str:
        """``numerical`` or ``categorical``."""
        return "numerical" if self.distribution in NUMERICAL else "categorical"

    @property
    def key(self) -> str:
        """A stable text key, also the cell's name in the JSON output."""
        return f"{self.distribution}|{self.change.label}|{self.n}"


def grid(only: Sequence[str] = ()) -> list[Cell]:
    """The cells in table order (distribution, change, n), kept to those matching ``only``.

    Each term of ``only`` is a distribution name, a sample size or a change kind (``none``,
    ``shift``, ``variance``, ``share``); terms of one sort widen the selection, sorts narrow
    it: ``["lognormal", "poisson3", "2000", "variance"]`` keeps two cells.

    >>> len(grid()), len(grid(["lognormal", "poisson3", "2000", "variance"]))
    (160, 2)
    """
    terms = {t.strip().replace("_", "") for t in only if t.strip()}
    unknown = terms - set(DISTRIBUTIONS) - {str(n) for n in SIZES} - {*_KINDS}
    if unknown:
        raise ValueError(
            f"--only: unknown term(s) {sorted(unknown)}; use distributions "
            f"{list(DISTRIBUTIONS)}, sizes {list(SIZES)} or changes {list(_KINDS)}"
        )
    dists = [d for d in DISTRIBUTIONS if d in terms] or list(DISTRIBUTIONS)
    sizes = [n for n in SIZES if str(n) in terms] or list(SIZES)
    kinds = {k for k in _KINDS if k in terms} or set(_KINDS)
    return [
        Cell(d, change, n)
        for d in dists
        for change in (NUMERICAL_CHANGES if d in NUMERICAL else CATEGORICAL_CHANGES)
        if change.kind in kinds
        for n in sizes
    ]


_KINDS = ("none", "shift", "variance", "share")


#: no-change cells at n <= 2,000 run this many times ``trials``: a false-alarm rate is the
#: number read against the stated level, and small samples are where it can exceed it
NULL_FACTOR = 4


def trials_for(cell: Cell, trials: int, large_trials: int, null_factor: int = NULL_FACTOR) -> int:
    """How many trials a cell runs: ``large_trials`` at n = 200,000; ``null_factor`` times
    ``trials`` in a no-change cell at n <= 2,000; else ``trials``.

    >>> no_change = Cell("normal", NO_CHANGE, 200)
    >>> trials_for(no_change, 50, 10), trials_for(Cell("cat5", NO_CHANGE, LARGE), 50, 10)
    (200, 10)
    """
    if cell.n >= LARGE:
        return large_trials
    return trials * null_factor if cell.change.kind == "none" and cell.n <= 2_000 else trials


def random_seed(cell: Cell, trial: int) -> np.random.SeedSequence:
    """The random seed of one trial: the cell's key (CRC-32, stable across processes and
    Python versions, unlike ``hash``) and the trial's number."""
    return np.random.SeedSequence([zlib.crc32(cell.key.encode()), trial])


def draw(cell: Cell, trial: int) -> tuple[np.ndarray, np.ndarray]:
    """The reference and current sample of one trial (floats, or labels as ``object``)."""
    ref_rng, cur_rng = (np.random.default_rng(s) for s in random_seed(cell, trial).spawn(2))
    sampler = _NUMERICAL_SAMPLERS.get(cell.distribution) or _categorical
    return (
        sampler(ref_rng, cell.distribution, NO_CHANGE, cell.n),
        sampler(cur_rng, cell.distribution, cell.change, cell.n),
    )


# --- numerical --------------------------------------------------------------------------------

LN_SIGMA = 1.0
LN_MEAN = float(np.exp(LN_SIGMA**2 / 2))
LN_SD = float(np.sqrt((np.exp(LN_SIGMA**2) - 1) * np.exp(LN_SIGMA**2)))
ZERO_SHARE, GAMMA_SHAPE = 0.3, 2.0  # zero30: 30 % zeros, else Gamma(2, scale 1)
_W, _M, _V = 1 - ZERO_SHARE, GAMMA_SHAPE, GAMMA_SHAPE  # weight, mean, variance of the Gamma
ZERO30_SD = float(np.sqrt(_W * (_V + _M**2) - (_W * _M) ** 2))


def _normal(rng: np.random.Generator, _: str, change: Change, n: int) -> np.ndarray:
    if change.kind == "variance":
        return rng.normal(0.0, np.sqrt(change.size), n)
    return rng.normal(change.size, 1.0, n)


def _lognormal(rng: np.random.Generator, _: str, change: Change, n: int) -> np.ndarray:
    if change.kind == "variance":  # the log-normal with the same mean, variance x size
        sigma2 = np.log1p(change.size * np.expm1(LN_SIGMA**2))
        return rng.lognormal(np.log(LN_MEAN) - sigma2 / 2, np.sqrt(sigma2), n)
    return rng.lognormal(0.0, LN_SIGMA, n) + change.size * LN_SD


def _poisson3(rng: np.random.Generator, _: str, change: Change, n: int) -> np.ndarray:
    if change.kind == "variance":  # negative binomial, mean 3, variance 3 * size
        r = 9.0 / (3.0 * change.size - 3.0)
        return rng.negative_binomial(r, r / (r + 3.0), n).astype(float)
    return rng.poisson(3.0 + change.size * np.sqrt(3.0), n).astype(float)


def _zero30(rng: np.random.Generator, _: str, change: Change, n: int) -> np.ndarray:
    positive = rng.random(n) >= ZERO_SHARE
    k = int(positive.sum())
    if change.kind == "variance":  # Gamma part with the same mean, mixture variance x size
        var = (change.size * ZERO30_SD**2 + (_W * _M) ** 2) / _W - _M**2
        part = rng.gamma(_M**2 / var, var / _M, k)
    else:
        part = rng.gamma(GAMMA_SHAPE, 1.0, k) + change.size * ZERO30_SD / _W
    out = np.zeros(n)
    out[positive] = part
    return out


_NUMERICAL_SAMPLERS = {
    "normal": _normal,
    "lognormal": _lognormal,
    "poisson3": _poisson3,
    "zero30": _zero30,
}


# --- categorical ------------------------------------------------------------------------------

CAT5_SHARES = np.array([0.40, 0.25, 0.20, 0.10, 0.05])
CAT50_SHARES = 1.0 / np.arange(1, 51) / np.sum(1.0 / np.arange(1, 51))
ID_POOL = 10_000_000
_GAINER = {"cat5": 2, "cat50": 9}  # the level whose share grows (taken from level 0)


def _labels(prefix: str, count: int, width: int) -> np.ndarray:
    return np.array([f"{prefix}{i:0{width}d}" for i in range(count)], dtype=object)


_LEVELS = {"cat5": _labels("L", 5, 1), "cat50": _labels("L", 50, 2)}


def _categorical(rng: np.random.Generator, dist: str, change: Change, n: int) -> np.ndarray:
    if dist == "idlike":
        codes = rng.integers(1, ID_POOL, n)
        codes[rng.random(n) < change.size] = 0  # one id takes that share of the rows
        return np.char.add("id", codes.astype(str)).astype(object)
    shares = (CAT5_SHARES if dist == "cat5" else CAT50_SHARES).copy()
    shares[0] -= change.size
    shares[_GAINER[dist]] += change.size
    return _LEVELS[dist][rng.choice(len(shares), n, p=shares)]


def describe(cells: Iterable[Cell]) -> str:
    """One line naming the distributions, sizes and changes of ``cells``."""
    cells = list(cells)
    dists = dict.fromkeys(c.distribution for c in cells)
    sizes = sorted({c.n for c in cells})
    changes = dict.fromkeys(c.change.label for c in cells)
    return (
        f"{', '.join(dists)}; n = {', '.join(f'{n:,}' for n in sizes)}; "
        f"changes: {', '.join(changes)}"
    )


# --- counting ---------------------------------------------------------------------------------

#: a method's verdict on one trial: True when it flags the current sample as changed
Verdict = Callable[[np.ndarray, np.ndarray], bool]


@dataclass(frozen=True)
class Method:
    """A verdict to count on every trial of the cells of the kinds it applies to."""

    name: str
    kinds: tuple[str, ...]
    flags: Verdict


def rejection_rates(
    cells: Sequence[Cell],
    methods: Sequence[Method],
    trials: int,
    large_trials: int,
    progress: Callable[[str], None] | None = None,
    null_factor: int = NULL_FACTOR,
) -> list[dict]:
    """Each method's share of trials flagged, per cell, as JSON-ready rows.

    A method that raises on a trial is counted under ``errors`` (its first message under
    ``error_messages``) and left out of that cell's rate (``None`` when every trial failed, or
    when the method does not apply to the cell).

    >>> always = Method("always", ("numerical",), lambda ref, cur: True)
    >>> rows = rejection_rates([Cell("normal", NO_CHANGE, 200)], [always], 3, 1)
    >>> rows[0]["rates"], rows[0]["trials"]
    ({'always': 1.0}, 3)
    """
    rows = []
    for cell in cells:
        started = time.perf_counter()
        count = trials_for(cell, trials, large_trials, null_factor)
        usable = [m for m in methods if cell.kind in m.kinds]
        hits = dict.fromkeys((m.name for m in usable), 0)
        errors = dict.fromkeys((m.name for m in usable), 0)
        messages: dict[str, str] = {}
        for trial in range(count):
            ref, cur = draw(cell, trial)
            for method in usable:
                try:
                    hits[method.name] += bool(method.flags(ref, cur))
                except Exception as error:  # an error is a result too: counted, not fatal
                    errors[method.name] += 1
                    messages.setdefault(method.name, f"{type(error).__name__}: {error}")
        rates = {
            m.name: (hits[m.name] / (count - errors[m.name]) if count > errors[m.name] else None)
            if m in usable
            else None
            for m in methods
        }
        rows.append(
            {
                "key": cell.key,
                "distribution": cell.distribution,
                "kind": cell.kind,
                "change": cell.change.label,
                "n": cell.n,
                "trials": count,
                "rates": rates,
                "errors": {name: k for name, k in errors.items() if k},
                "error_messages": messages,  # the first error of each method that had one
                "seconds": round(time.perf_counter() - started, 2),
            }
        )
        if progress:
            progress(f"{cell.key}: {count} trials in {rows[-1]['seconds']} s")
    return rows


# --- the table ---------------------------------------------------------------------------------

COLUMNS = {  # a method's JSON name: its heading in the table
    "driftscope": "driftscope",
    "ks": "KS",
    "ad": "AD",
    "cvm": "CvM",
    "chi2": "χ²",
    "evidently": "Evidently",
    "nannyml": "NannyML",
}


def table(rows: list[dict]) -> str:
    """The rows as one Markdown table: a rate per method, ``–`` where it does not apply."""
    names = [n for n in COLUMNS if any(n in row["rates"] for row in rows)]
    lines = [
        "| distribution | change | n | trials | " + " | ".join(COLUMNS[n] for n in names) + " |",
        "| --- | --- | ---: | ---: | " + " | ".join("---:" for _ in names) + " |",
    ]
    for row in rows:
        cells = [_rate(row, name) for name in names]
        lines.append(
            f"| {row['distribution']} | {row['change']} | {row['n']:,} | {row['trials']} | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines)


def _rate(row: dict, name: str) -> str:
    rate, errors = row["rates"].get(name), row["errors"].get(name, 0)
    text = "–" if rate is None and not errors else "err" if rate is None else f"{rate:.0%}"
    return f"{text} ({errors} err)" if errors and rate is not None else text
