"""The registry: the domain models and the services that read and change them.

Framework-free: nothing here imports Flask, so the CLI and the ETL use it directly.
"""
