"""The benchmark harness behind scripts/bench: data, server, load, figures."""
