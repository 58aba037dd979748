"""``python -m dxlib`` is the same as ``dx``."""

from dxlib.cli import main

main(prog_name="dx")
