"""Synthesize the Terraform modules and environment stacks into generated/. Run `python main.py --help`."""

from generator.cli import exit_with, main

if __name__ == "__main__":
    exit_with(main())
