"""Clients for upstream services. Each speaks one service's real format; tests point
them at a local HTTP server replaying recorded answers."""
