"""The component package's plugin: the engine runs `python package/ <engine address>`.

The package is this repository: its code is imported from the folder above.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from components.package.provider import serve

serve(sys.argv[1:])
