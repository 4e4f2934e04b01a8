"""Process wiring: ASGI app, CLI, serving, embedded runtime, doctor, demo data, middleware."""
