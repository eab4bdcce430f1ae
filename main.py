"""Synthesize the Terraform modules and environment stacks into generated/. Run `python main.py --help`.

The composition root: the generator never imports modules/; main.py hands it the discovered modules."""

from generator.cli import main, run_script
from modules import all_modules

if __name__ == "__main__":
    run_script(lambda: main(modules=all_modules))
