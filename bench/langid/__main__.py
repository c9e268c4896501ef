"""``python -m bench.langid``: run the language-tagger benchmark."""

import sys

from .run import main

sys.exit(main())
