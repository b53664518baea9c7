"""Open statistics (StatFin PxWeb, Sotkanet) per municipality or county and period."""
