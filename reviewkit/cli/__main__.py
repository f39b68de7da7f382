"""``python -m reviewkit.cli``: the ``reviewkit`` command."""

from reviewkit.cli.main import main

if __name__ == "__main__":
    main()
