"""The git side of GitOps: lay out the manifest repo and change it by safe, reviewable commits.

Layers, flux2-style: pure generators (:mod:`.layout`, :mod:`.images`, :mod:`.ownership`) know
nothing of git; :mod:`.git_client` knows only git; :mod:`.operations` joins them.
"""
