"""The knowledge base: YAML files in knowledge/, validated, synced into the database."""
