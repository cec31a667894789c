"""``python -m cleanfeed``: the ``cleanfeed`` command."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
