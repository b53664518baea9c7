"""Client volumes that networks report: aggregates per network and month, never persons."""
