#!/bin/sh
# Databases and least-privilege roles for a Tsunagu deployment. The official postgres image runs
# this once, on an empty data directory (/docker-entrypoint-initdb.d); elsewhere run it as a
# superuser with the same environment variables and PGHOST/PGPORT/PGUSER set:
#
#   tsunagu_owner   owns the platform database and runs its migrations (DDL)
#   tsunagu_web     the web app: reads and writes rows, no DDL
#   tsunagu_worker  the push worker: reads and writes rows, no DDL
#   mesh_directory, mesh_node_a, mesh_node_b
#                   each mesh node owns its own database and can reach no other
set -eu

: "${TSUNAGU_OWNER_PASSWORD:?}" "${TSUNAGU_WEB_PASSWORD:?}" "${TSUNAGU_WORKER_PASSWORD:?}"
: "${TSUNAGU_DIRECTORY_PASSWORD:?}" "${TSUNAGU_NODE_A_PASSWORD:?}" "${TSUNAGU_NODE_B_PASSWORD:?}"
PLATFORM_DB="${TSUNAGU_PLATFORM_DB:-tsunagu}"

psql -v ON_ERROR_STOP=1 --no-psqlrc -d postgres \
  -v owner_pw="$TSUNAGU_OWNER_PASSWORD" -v web_pw="$TSUNAGU_WEB_PASSWORD" \
  -v worker_pw="$TSUNAGU_WORKER_PASSWORD" -v directory_pw="$TSUNAGU_DIRECTORY_PASSWORD" \
  -v node_a_pw="$TSUNAGU_NODE_A_PASSWORD" -v node_b_pw="$TSUNAGU_NODE_B_PASSWORD" \
  -v platform_db="$PLATFORM_DB" <<'SQL'
CREATE ROLE tsunagu_owner LOGIN PASSWORD :'owner_pw';
CREATE ROLE tsunagu_web LOGIN PASSWORD :'web_pw';
CREATE ROLE tsunagu_worker LOGIN PASSWORD :'worker_pw';
CREATE ROLE mesh_directory LOGIN PASSWORD :'directory_pw';
CREATE ROLE mesh_node_a LOGIN PASSWORD :'node_a_pw';
CREATE ROLE mesh_node_b LOGIN PASSWORD :'node_b_pw';

CREATE DATABASE :"platform_db" OWNER tsunagu_owner;
CREATE DATABASE mesh_directory OWNER mesh_directory;
CREATE DATABASE mesh_node_a OWNER mesh_node_a;
CREATE DATABASE mesh_node_b OWNER mesh_node_b;

-- Nobody but a database's owner (and those granted below) may even connect to it.
REVOKE ALL ON DATABASE :"platform_db" FROM PUBLIC;
REVOKE ALL ON DATABASE mesh_directory FROM PUBLIC;
REVOKE ALL ON DATABASE mesh_node_a FROM PUBLIC;
REVOKE ALL ON DATABASE mesh_node_b FROM PUBLIC;
GRANT CONNECT ON DATABASE :"platform_db" TO tsunagu_web, tsunagu_worker;
SQL

psql -v ON_ERROR_STOP=1 --no-psqlrc -d "$PLATFORM_DB" <<'SQL'
-- The owner's schema; the app roles use it but cannot create in it.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO tsunagu_owner;
GRANT USAGE ON SCHEMA public TO tsunagu_web, tsunagu_worker;
-- Tables and sequences the owner's migrations create later are usable by the app roles.
ALTER DEFAULT PRIVILEGES FOR ROLE tsunagu_owner IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO tsunagu_web, tsunagu_worker;
ALTER DEFAULT PRIVILEGES FOR ROLE tsunagu_owner IN SCHEMA public
  GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO tsunagu_web, tsunagu_worker;
SQL

for db in mesh_directory mesh_node_a mesh_node_b; do
  psql -v ON_ERROR_STOP=1 --no-psqlrc -d "$db" -c "ALTER SCHEMA public OWNER TO $db; REVOKE CREATE ON SCHEMA public FROM PUBLIC;"
done
