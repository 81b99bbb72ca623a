# store/: SQLite schema, migrations, warehouse rules and operations.
store-y +=
