"""profilesync: keep a researcher's CV, DBLP, ORCID, Google Scholar and GitHub records consistent."""

__version__ = "0.1.0"
