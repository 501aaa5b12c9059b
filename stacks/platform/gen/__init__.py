"""Pure generators: the environment in, Kubernetes objects and Helm releases out (no cdktf)."""
