"""``python -m symderiv``: the command line, quiet on Ctrl-C from the first instant."""
import sys

try:
    from .cli import main
except KeyboardInterrupt:  # during the (light) import of the CLI itself
    sys.stderr.write("symderiv: interrupted\n")
    sys.exit(130)

sys.exit(main())
