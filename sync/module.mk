# sync/: documents, signing, the True API client, the outbox runner.
sync-y += sync/http.o sync/sign.o sync/wire.o sync/policy.o sync/api.o \
	sync/api_auth.o sync/api_doc.o sync/api_lookup.o sync/api_stock.o
# The server-answer parsers are fuzzed straight from source (Makefile's
# fuzz rule appends these sources and libraries).
fuzz-extra-src += sync/wire.c sync/policy.c
fuzz-extra-libs += $(shell $(PKG_CONFIG) --libs jansson 2>/dev/null)
# The outbox runner, its configuration and the nightly batch.
sync-y += sync/config.o sync/runner.o sync/batch.o
