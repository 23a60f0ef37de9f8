"""Pure rules of the training: no I/O, no framework."""
