"""`python -m bot run` starts Phare; other sub-commands are operations."""
import sys


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    rest = sys.argv[2:]
    if command == "run":
        from .launcher import main as run

        return run(rest)
    if command == "purge":
        from .purge import main as purge

        return purge(rest)
    print("Usage : python -m bot run | purge", file=sys.stderr)
    return 2


sys.exit(main())
