"""The git and in-cluster side of underlay, and the ``underlay`` command line.

Layers, as in flux2: pure generators (no git, no cluster) beside thin clients (git, object
storage), orchestrated by commands in :mod:`bootstrap.cli`, which only turn flags into options.
"""
