"""PostgreSQL as the processed store, on the real servers: the 10K sample through Kafka into
Cassandra + PostgreSQL, read back with psql and cassandra-driver, and the dashboard over it
(kill -9 runs in test_cluster_kill9.py, a restart in test_postgres_outage.py)."""

from cassandra_helpers import driver_rows
from dashboard_support import Server
from pg_support import PostgresDatabase
from test_cluster_flow import cluster_run, drop_keyspace, mariadb, sample_through_kafka


def test_sample_through_kafka_into_cassandra_and_postgres(shopstream_bin, sample_zip, sample_rows):
    option_file, topic, keyspace, database, env = cluster_run("pgflow")
    pg = PostgresDatabase("pgflow")
    env.update(pg.env)
    try:
        sample_through_kafka(shopstream_bin, sample_zip, topic, keyspace, pg.uri, env)

        expected = {"view": 0, "cart": 0, "purchase": 0}
        revenue = 0.0
        for row in sample_rows:
            expected[row["event_type"]] += 1
            if row["event_type"] == "purchase":
                revenue += float(row["price"])
        counts = dict((t, int(n)) for t, n in pg.query(
            "SELECT event_type, count(*) FROM operations GROUP BY event_type"))
        assert counts == expected
        assert abs(float(pg.query("SELECT sum(revenue) FROM rollup_minute")[0][0]) - revenue) < 0.01
        assert int(pg.query("SELECT sum(events) FROM rollup_day")[0][0]) == len(sample_rows)
        pg_ids = {row[0] for row in pg.query("SELECT id FROM operations")}
        raw_ids = {str(r.id) for r in driver_rows(f"SELECT id FROM {keyspace}.operations")}
        assert pg_ids == raw_ids and len(pg_ids) == len(sample_rows)

        # The dashboard reads the same store.
        server = Server(shopstream_bin, pg.uri, env=env)
        try:
            kpis = server.json("/api/kpis")
        finally:
            server.stop()
        assert kpis["events"] == len(sample_rows)
        assert abs(kpis["revenue"] - revenue) < 0.01
    finally:
        drop_keyspace(keyspace)
        mariadb(option_file, "ecommerce", f"DROP DATABASE IF EXISTS {database}")
        pg.drop()
