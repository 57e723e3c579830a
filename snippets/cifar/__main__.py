"""`python -m snippets.cifar ...`: see snippets/cifar/cli.py."""

import sys

from snippets.cifar.cli import main

sys.exit(main())
