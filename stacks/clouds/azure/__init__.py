"""Azure (AKS) behind the cloud contract; see ``module.py``."""
