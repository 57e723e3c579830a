"""`python -m snippets.epma`: see snippets/epma/cli.py."""

import sys

from snippets.epma.cli import main

sys.exit(main())
