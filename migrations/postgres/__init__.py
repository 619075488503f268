"""PostgreSQL's versions of the migrations in the folder above, where their SQL differs.

A file here (same name as its twin above) replaces that file on PostgreSQL; a migration
written in SQL both engines accept (the catalogue's INSERTs, most rollbacks) lives only
above. Either way each migration yields the same tables, columns and indexes on both
(tests/storage/test_migrations.py compares them). What differs and why: see
dojobot.storage.dialect.
"""
