import sys

from profilesync.cli import main

sys.exit(main())
