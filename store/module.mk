# store/: SQLite schema, migrations, warehouse rules and operations.
store-y +=
store-y += store/db.o store/db_queue.o store/schema.o store/rules.o store/doc.o store/pack.o \
	store/pack_facts.o store/pack_doc.o store/users.o store/accounts.o store/lookup.o
store-y += store/delivery.o store/accept.o store/ship.o store/rules_accept.o store/rules_ship.o store/doc_transfer.o
store-y += store/outbox.o
store-y += store/code_check.o store/rules_check.o
store-y += store/accept_list.o store/open_work.o
store-y += store/doc_deps.o store/doc_check.o
store-y += store/export.o store/upd_read.o store/inbox.o
store-y += store/stock.o store/catalogue.o store/stock_report.o store/gtin_table.o store/code_index.o
store-y += store/db_admin.o store/db_check.o
store-y += store/labels.o
# Delivery import is fuzzed straight from source with the store around it.
fuzz-extra-src += $(store-y:.o=.c)
fuzz-extra-libs += -lsqlite3 -lcrypt $(shell $(PKG_CONFIG) --cflags --libs libxml-2.0 2>/dev/null)
