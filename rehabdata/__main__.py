"""``python -m rehabdata``: the command line."""

from rehabdata.cli import main

raise SystemExit(main())
