"""Numbered SQL migrations: NNNN_name.up.sql and NNNN_name.down.sql."""
