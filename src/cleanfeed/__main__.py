"""``python -m cleanfeed``: the ``cleanfeed`` command."""

from .cli import console

if __name__ == "__main__":
    raise SystemExit(console())
