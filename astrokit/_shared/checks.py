"""The scalar checks every stage applies, each with one rule and one message.

- :func:`check_int`: an integer of at least ``minimum`` (``bool`` refused);
- :func:`check_n_neighbors`: the number of neighbours of a row. **The one
  rule of astrokit: a row is never its own neighbour.** ``n_neighbors=25``
  means 25 *other* rows, in :func:`astrokit.distances.knn_graph`, the forest,
  :func:`astrokit.embedding.embed` (umap-learn counts the point itself, so it
  is given ``n_neighbors + 1``), :func:`astrokit.outliers.score` and every
  quality score. It must be at least 1 and smaller than the number of rows;
- :func:`check_max_rows`: the keyword that fits a model on a random subsample
  of at most this many rows and applies it to every row (``None``: all rows);
- :func:`check_random_state`: an integer seed, a ``numpy`` Generator or
  ``RandomState``, or ``None`` (fresh randomness). Every public function of
  astrokit that draws random numbers defaults to ``random_state=0``, so a
  lesson run twice draws the same figures;
- :func:`renamed`: accept a keyword's old name for one release, with a
  ``FutureWarning`` naming the new one;
- :func:`keyword_only_after`: a decorator for functions whose options became
  keyword-only: an option still given by position works for one release,
  with a ``FutureWarning``.

Examples
--------
>>> check_n_neighbors(25, n_rows=100)
25
>>> check_int(0, "n_runs")
Traceback (most recent call last):
...
ValueError: n_runs=0 must be an integer of at least 1.
"""

from __future__ import annotations

import functools
import inspect
import os
import warnings

import numpy as np

__all__ = [
    "check_int",
    "check_n_neighbors",
    "check_max_rows",
    "check_random_state",
    "renamed",
    "refuse_unknown",
    "keyword_only_after",
    "deprecated",
]


def check_int(value, name: str, *, minimum: int = 1, what: str = "") -> int:
    """``value`` as an int of at least ``minimum``, else TypeError/ValueError.

    ``what`` (e.g. ``"rows"``) is added to the message in brackets.
    """
    unit = f" ({what})" if what else ""
    msg = f"{name}={value!r} must be an integer of at least {minimum}{unit}."
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(msg)
    if value < minimum:
        raise ValueError(msg)
    return int(value)


def check_n_neighbors(n_neighbors, n_rows: int) -> int:
    """``n_neighbors`` (other rows) as an int in [1, n_rows - 1], or an error."""
    n_neighbors = check_int(n_neighbors, "n_neighbors", what="other rows")
    if n_neighbors >= n_rows:
        msg = (
            f"n_neighbors={n_neighbors} must be smaller than the number of rows "
            f"({n_rows}): a row is never its own neighbour."
            + (f" Pass n_neighbors={n_rows - 1} or fewer." if n_rows > 1 else "")
        )
        raise ValueError(msg)
    return n_neighbors


def check_max_rows(max_rows, *, minimum: int = 2) -> int | None:
    """``max_rows`` (fit on at most this many rows) as an int, or None."""
    if max_rows is None:
        return None
    return check_int(max_rows, "max_rows", minimum=minimum, what="rows, or None")


def check_random_state(random_state):
    """``random_state`` if it is a seed, a Generator, a RandomState or None."""
    if random_state is None or isinstance(
        random_state, np.random.Generator | np.random.RandomState
    ):
        return random_state
    if isinstance(random_state, bool) or not isinstance(random_state, int | np.integer):
        msg = (
            f"random_state={random_state!r} must be an integer seed, a numpy "
            "Generator or RandomState, or None."
        )
        raise TypeError(msg)
    return int(random_state)


def renamed(kwargs: dict, old: str, new: str, value, *, default=None):
    """The value of keyword ``new``, taking ``old`` from ``kwargs`` for a release.

    ``kwargs`` are a function's ``**kwargs``; ``old`` is popped from it with a
    ``FutureWarning``. Giving both names is a TypeError. Any other keyword
    left in ``kwargs`` is the caller's to refuse.

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     renamed({"seed": 3}, "seed", "random_state", 0, default=0)
    3
    >>> str(caught[0].message)
    'seed= is renamed random_state=; seed= will stop working in astrokit 0.3.'
    """
    if old not in kwargs:
        return value
    old_value = kwargs.pop(old)
    if value is not default and value != default:
        msg = f"give {new}= only; {old}= is its old name."
        raise TypeError(msg)
    msg = f"{old}= is renamed {new}=; {old}= will stop working in astrokit 0.3."
    deprecated(msg, stacklevel=4)
    return old_value


def refuse_unknown(kwargs: dict, function: str) -> None:
    """TypeError naming the keywords left in ``kwargs`` after :func:`renamed`."""
    if kwargs:
        msg = f"{function}() got unexpected keyword(s) {sorted(kwargs)}."
        raise TypeError(msg)


def keyword_only_after(n_positional: int):
    """Decorate ``f(data, *, option=...)``: positional options warn, then work.

    The first ``n_positional`` arguments stay positional; extra positional
    arguments are given to the keyword-only parameters in order, with a
    ``FutureWarning`` that shows the keyword call.

    >>> @keyword_only_after(1)
    ... def f(data, *, method="a", n=1):
    ...     return method, n
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     f(0, "b")
    ('b', 1)
    >>> str(caught[0].message).split(";")[0]
    "f(data, 'b'): give the option by name, f(data, method='b')"
    """

    def decorate(func):
        params = inspect.signature(func).parameters.values()
        names = [p.name for p in params if p.kind is p.KEYWORD_ONLY]
        first = [p.name for p in params][:n_positional]

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            extra = args[n_positional:]
            if not extra:
                return func(*args, **kwargs)
            if len(extra) > len(names):
                msg = f"{func.__name__}() takes {n_positional} positional arguments."
                raise TypeError(msg)
            given = dict(zip(names, extra, strict=False))
            clash = sorted(set(given) & set(kwargs))
            if clash:
                msg = f"{func.__name__}() got {clash} both by position and by name."
                raise TypeError(msg)
            head = ", ".join(first)
            old = ", ".join([head, *map(repr, extra)])
            new = ", ".join([head, *(f"{k}={v!r}" for k, v in given.items())])
            msg = (
                f"{func.__name__}({old}): give the option by name, "
                f"{func.__name__}({new}); positional options will stop working "
                "in astrokit 0.3."
            )
            deprecated(msg, stacklevel=3)
            return func(*args[:n_positional], **given, **kwargs)

        return wrapper

    return decorate


def deprecated(msg: str, *, stacklevel: int = 2) -> None:
    """Warn ``msg`` as a FutureWarning, or raise it under ``ASTROKIT_STRICT=1``."""
    if os.environ.get("ASTROKIT_STRICT", "") not in ("", "0"):
        raise FutureWarning(msg)
    warnings.warn(msg, FutureWarning, stacklevel=stacklevel)
