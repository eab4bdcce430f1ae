"""Environment files: loading and checking `environments/*.toml` against the modules' declarations, and the AWS
limits checked before apply."""
