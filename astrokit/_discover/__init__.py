"""The whole discovery loop in one call: features to named groups and outliers.

:func:`discover` runs the lessons' path on any numeric table (pixels, stars,
galaxies): features, standardised -> their Euclidean neighbours -> a UMAP
embedding -> HDBSCAN's groups on it, those stable over subsamples, split
where a group's features hold two separate Gaussians -> what the groups are
(effect sizes) -> outliers (the unsupervised random forest's weirdness among
the scores). Every choice is made from the data and recorded with its reason
in :attr:`Discovery.choices`; nothing reads a truth column (columns named
``truth_*`` or listed in ``table.attrs["truth_columns"]`` are left out), so
a truth column can only grade the result afterwards. The result, a
:class:`Discovery`, holds plain DataFrames on the input's index.

This layer sits above the analysis stages and below the views: it imports
the stages and nothing that draws.
"""

from astrokit._discover._loop import discover
from astrokit._discover._result import Discovery

__all__ = ["discover", "Discovery"]
