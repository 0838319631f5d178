"""The ``astrokit demo`` application: the whole loop on the demo data, as a report.

:mod:`astrokit._demo.pipeline` runs the analysis (features, Euclidean
neighbours, UMAP, clusters, interpretation, outliers) and grades it against
the synthetic truth after the fact; :mod:`astrokit._demo.report` turns the
result into one self-contained HTML file and a printed summary. This is the
top layer: it may import every other part of astrokit, and nothing imports it
but :mod:`astrokit.cli`.
"""
