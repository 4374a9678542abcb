"""`python -m web.admin user … | remind …`: see web.admin.cli."""
import sys

from .cli import main

sys.exit(main())
