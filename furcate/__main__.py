"""``python -m furcate``: the same command line as the ``furcate`` script."""

from furcate.cli import main

raise SystemExit(main())
