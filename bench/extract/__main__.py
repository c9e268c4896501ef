"""``python -m bench.langid``: run the extraction benchmark."""

import sys

from .run import main

sys.exit(main())
