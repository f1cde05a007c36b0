"""Pure domain model: no framework, database or SDK imports."""
