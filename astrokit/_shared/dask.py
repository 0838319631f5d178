"""The Dask engine every stage shares: the client, and rows by position.

Tables beyond one machine are ``dask.dataframe.DataFrame`` objects computed on
``dask.distributed``. Each stage keeps its Dask code in a private
``_dask`` module (``astrokit.features._dask``, ``astrokit.distances._dask``,
...) and dispatches to it at the top of its public function
(``if is_dask(table): return _dask.derive(...)``); this module holds what
they share:

- :func:`is_dask`: is an object a Dask collection (without importing Dask
  when it is not loaded: ``import astrokit`` stays light);
- :func:`client`: the user's ``distributed.Client`` when one is current (a
  scheduler address, dask-jobqueue on SLURM/PBS, Kubernetes: whatever the
  user created last), else a ``LocalCluster`` sized to the machine, created
  on first use and reused;
- :func:`gather`: compute one task per partition on the cluster, with a tqdm
  progress bar on stderr;
- :func:`partition_lengths`, :func:`take`: the rows at given global
  positions (a sample drawn as the in-memory path draws it), gathered to the
  client; only those rows travel.

Nothing here is state that the workers need: every task is given what it
uses (models, counts, positions) as arguments, so any cluster works. The one
module-level object is the ``LocalCluster`` this process created, which only
the client side uses.

Written here rather than taken from Dask: Dask has no "rows at these global
positions" for a DataFrame (``iloc`` takes columns only), and the
progress bar must go through tqdm like the rest of the kit.
"""

from __future__ import annotations

import logging
import sys

import numpy as np

__all__ = [
    "SAMPLE_ROWS",
    "client",
    "is_dask",
    "check_dask_frame",
    "gather",
    "partition_lengths",
    "take",
    "offsets",
]

logger = logging.getLogger("astrokit.dask")

SAMPLE_ROWS = 200_000
"""Rows a model is fitted on, by default, when a stage gets a Dask table
larger than this (in memory on the client, then applied per partition)."""

_LOCAL = {}
"""The LocalCluster and Client this process created (client side only)."""


def is_dask(obj) -> bool:
    """True for a Dask collection (DataFrame, Series, Array), without importing Dask.

    Examples
    --------
    >>> import pandas as pd
    >>> is_dask(pd.DataFrame({"a": [1.0]}))
    False
    """
    if "dask" not in sys.modules:  # nothing can be a Dask object yet
        return False
    from dask import is_dask_collection

    return bool(is_dask_collection(obj))


def check_dask_frame(table, name: str = "table"):
    """``table`` if it is a Dask DataFrame with known divisions, else an error."""
    import dask.dataframe as dd

    if not isinstance(table, dd.DataFrame):
        msg = (
            f"{name} is a {type(table).__name__}; pass a dask.dataframe.DataFrame "
            "(e.g. dask.dataframe.from_pandas(table, npartitions=8)) or a pandas "
            "DataFrame."
        )
        raise TypeError(msg)
    return table


def client():
    """The ``distributed.Client`` to compute on: the user's, else a local one.

    A client the user created (``distributed.Client("tcp://scheduler:8786")``,
    ``Client(SLURMCluster(...))``, ...) is current and is returned. Without
    one, a ``LocalCluster`` sized to the machine (Dask's defaults: one
    worker process per few cores, memory split between them) is created on
    first use and reused by later calls.

    Returns
    -------
    distributed.Client
    """
    import distributed

    try:
        return distributed.get_client()
    except ValueError:
        pass
    made = _LOCAL.get("client")
    if made is not None and made.status == "running":
        return made
    cluster = distributed.LocalCluster(processes=True)
    made = distributed.Client(cluster, set_as_default=True)
    _LOCAL.update(cluster=cluster, client=made)
    logger.info(
        "dask: started a LocalCluster of %d workers (pass your own "
        "distributed.Client to use another cluster)",
        len(cluster.workers),
    )
    return made


def gather(tasks, *, desc: str, progress: bool = True) -> list:
    """Compute ``tasks`` (Dask delayed objects) on :func:`client`, in order.

    A tqdm bar on stderr counts the finished tasks (shown after a second).
    A worker lost mid-way is survived: the scheduler reruns its tasks
    elsewhere (up to ``distributed.scheduler.allowed-failures`` times).
    """
    import distributed
    from tqdm import tqdm

    tasks = list(tasks)
    if not tasks:
        return []
    futures = client().compute(tasks)
    position = {f.key: i for i, f in enumerate(futures)}
    results = [None] * len(futures)
    bar = tqdm(total=len(futures), desc=desc, disable=not progress, delay=1.0,
               leave=False)  # fmt: skip
    with bar:
        for future in distributed.as_completed(futures):
            results[position[future.key]] = future.result()
            bar.update(1)
    return results


def partition_lengths(frame, *, progress: bool = True) -> np.ndarray:
    """Rows in each partition of a Dask DataFrame or Series (int64 array)."""
    from dask import delayed

    parts = frame.to_delayed()
    counts = gather([delayed(len)(p) for p in parts], desc="dask: counting rows",
                    progress=progress)  # fmt: skip
    return np.asarray(counts, dtype=np.int64)


def offsets(lengths: np.ndarray) -> np.ndarray:
    """Global position of each partition's first row (``lengths`` cumulated).

    Examples
    --------
    >>> offsets(np.array([3, 0, 2])).tolist()
    [0, 3, 3]
    """
    return np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)


def _rows(part, where):
    return part.iloc[where]


def take(frame, positions, *, lengths=None, progress: bool = True):
    """The rows of ``frame`` at global ``positions`` (sorted), as one pandas object.

    Parameters
    ----------
    frame : dask.dataframe.DataFrame or Series
    positions : array of int
        Sorted positions in ``0 .. len(frame) - 1`` (partitions in order).
    lengths : array of int, optional
        :func:`partition_lengths` of ``frame``, when already known.

    Returns
    -------
    pandas.DataFrame or Series
        Those rows, in order, with their index.
    """
    import pandas as pd
    from dask import delayed

    positions = np.asarray(positions, dtype=np.int64)
    if lengths is None:
        lengths = partition_lengths(frame, progress=progress)
    start = offsets(lengths)
    which = np.searchsorted(start + lengths, positions, side="right")
    tasks = []
    for i, part in enumerate(frame.to_delayed()):
        where = positions[which == i] - start[i]
        if where.size:
            tasks.append(delayed(_rows)(part, where))
    pieces = gather(tasks, desc="dask: gathering the sample", progress=progress)
    if not pieces:
        return frame._meta
    return pd.concat(pieces)
