"""Monitor and validate: drift of infrastructure and manifest repo, and an environment's status."""
