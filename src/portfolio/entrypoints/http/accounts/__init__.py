"""Accounts over HTTP: signing in and out (``/api/auth/``), users and their tokens
(``/api/users/``)."""
