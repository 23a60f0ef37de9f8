"""Use cases: what a learner, a manager or the course platform can do."""
