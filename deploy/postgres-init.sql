-- Runs once, when the postgres-data volume is first created (docker-entrypoint-initdb.d).
-- Rasa's tracker store gets its own database, made here so that two Rasa replicas
-- starting together do not race to create it, and the purge job finds it from the start.
CREATE DATABASE tracker;
