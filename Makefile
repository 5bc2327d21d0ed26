# forecourt — the two commands a newcomer needs:
#   make demo   start the server on 127.0.0.1:8080 with demo data (forecourt.db)
#   make test   run every test: vet, unit and API tests on SQLite and PostgreSQL
#               (a throw-away PostgreSQL is started when none is configured),
#               the race detector, and a short run of every fuzz target.
GO ?= go

.PHONY: demo test build bench fuzz clean

demo:
	$(GO) run ./cmd/forecourt serve --demo

test:
	scripts/test

build:
	$(GO) build -o forecourt ./cmd/forecourt

bench:
	scripts/bench

fuzz:
	FUZZTIME=60s scripts/fuzz-short

clean:
	rm -f forecourt forecourt.db forecourt.db-wal forecourt.db-shm
