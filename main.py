"""Synthesize the Terraform modules and environment stacks into generated/. Run `python main.py --help`."""

import sys

from generator.cli import main

if __name__ == "__main__":
    sys.exit(main())
