"""ETL bookkeeping: every job run and every row a job refused (quarantine)."""
