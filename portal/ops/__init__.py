"""Operations, framework-free: structured logs, metrics, health checks, backups and the
deployment environment file. The web adapters live in ``portal.web`` (observability,
health, security, outage); the commands in ``portal.commands.ops``."""
