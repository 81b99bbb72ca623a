# store/: SQLite schema, migrations, warehouse rules and operations.
store-y +=
store-y += store/db.o store/schema.o store/rules.o store/doc.o store/pack.o store/users.o store/lookup.o
