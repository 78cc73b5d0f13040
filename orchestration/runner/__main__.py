"""`python -m orchestration.runner`: what `make run` runs."""

import sys

from orchestration.runner.make_run import main

sys.exit(main())
