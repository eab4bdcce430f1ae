"""What `python main.py` does: the command line, the synthesis pipeline, `--diff` and `--adopt` (with the reader of
the state it adopts)."""
