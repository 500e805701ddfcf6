"""``python -m driftscope``: the same command as ``driftscope``."""

from driftscope.cli import main

if __name__ == "__main__":
    main()
