# The two commands (see README): `make run` and `make test`.
.PHONY: run test setup bench docs lint

run:            ## set up, load reference data and boundaries, run the portal on SQLite
	scripts/run.sh

test:           ## set up and run every test, on SQLite and on PostgreSQL
	scripts/test.sh

setup:
	scripts/setup.sh --dev

bench:          ## print the performance numbers (see bench/README.md)
	.venv/bin/python bench/bench_spine.py

docs:           ## regenerate docs/settings.md and deploy/tym.env.example from portal/settings.py
	.venv/bin/tym settings --markdown > docs/settings.md
	.venv/bin/tym env-example > deploy/tym.env.example

lint:
	.venv/bin/ruff check portal etl geodata tests bench scripts
