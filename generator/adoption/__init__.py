"""What `--adopt` is made of below its command (generator.commands.adopt, the engine): reading the state through
declared shapes (statefile) and the vocabulary each module's adopter writes in (kit: pins, the adopted table, the
report, the security group and tags every adopter shares). A module declares its adopter in its own folder
(modules/<kind>/adopt.py, named by ModuleDefinition.adopter): adopting a new module touches only that folder."""
