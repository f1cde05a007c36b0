"""The FastAPI app (app.py: create_app): routes, schemas, the error table, auth. Importing
the package loads none of it: the Lambda lane uses a few framework-free modules here
(principal, problem_parts, read_params, security_headers) without FastAPI."""
