"""The module model: ModuleDefinition (a module's inputs, outputs and resources), its typed wiring, the discovery of
module folders, and the Terraform and provider versions the output states."""
