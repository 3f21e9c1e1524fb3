"""``python -m portfolio``: the ``portfolio`` command, for when its script is not on PATH."""

from portfolio.entrypoints.cli import main

main(prog_name="portfolio")
