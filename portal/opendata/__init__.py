"""Open data: the published tables, their formats and their metadata (Frictionless,
DCAT-AP, OpenAPI)."""
