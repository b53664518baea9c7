"""Groups of ``tym`` subcommands, each registered by hand in portal/cli.py."""
