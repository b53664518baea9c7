"""ETL: source clients (one per upstream, plus replay), pure transforms, idempotent loads."""
