"""Drives a running `sluice server` with the PyPI package `ksql`, as its README shows:
create a stream, insert rows, read a push query and a pull query.

Usage: python e2e.py HOST:PORT. Exits non-zero, saying what went wrong, on any failure.
"""

import json
import sys
import time

from ksql import KSQLAPI

EARLIEST = {"ksql.streams.auto.offset.reset": "earliest"}


def rows_of(lines):
    """The header and rows of a /query answer, read as the client yields it: one line
    per element of a JSON array. Reading stops at the array's end: the client's generator
    raises RuntimeError if asked for more after a finite query (PEP 479)."""
    body = ""
    for line in lines:
        body += line
        if body.rstrip().endswith("]"):
            break
    entries = json.loads(body)
    header, rows = entries[0]["header"], entries[1:]
    return header, [row["row"]["columns"] for row in rows if "row" in row]


def main(address):
    client = KSQLAPI(f"http://{address}")
    assert client.get_ksql_version(), "/info gave no version"

    created = client.ksql(
        "CREATE STREAM pageviews (user_id STRING KEY, page STRING, ms BIGINT) "
        "WITH (KAFKA_TOPIC='python_pageviews', PARTITIONS=1, VALUE_FORMAT='JSON');"
    )
    assert created[0]["commandStatus"]["status"] == "SUCCESS", created

    streams = client.ksql("SHOW STREAMS;")
    names = [stream["name"] for stream in streams[0]["streams"]]
    assert "PAGEVIEWS" in names, streams

    views = [
        {"USER_ID": "alice", "PAGE": "/home", "MS": 120},
        {"USER_ID": "bob", "PAGE": "/cart", "MS": 4300},
        {"USER_ID": "alice", "PAGE": "/pay", "MS": 800},
    ]
    acks = client.inserts_stream("PAGEVIEWS", views)
    assert [ack["status"] for ack in acks] == ["ok"] * 3, acks

    header, rows = rows_of(
        client.query(
            "SELECT user_id, page, ms FROM pageviews EMIT CHANGES LIMIT 3;",
            stream_properties=EARLIEST,
        )
    )
    assert "`USER_ID` STRING, `PAGE` STRING, `MS` BIGINT" in header["schema"], header
    assert rows == [[v["USER_ID"], v["PAGE"], v["MS"]] for v in views], rows

    client.ksql(
        "CREATE TABLE views_per_user AS SELECT user_id, COUNT(*) AS views, SUM(ms) AS total_ms "
        "FROM pageviews GROUP BY user_id EMIT CHANGES;",
        stream_properties=EARLIEST,
    )
    # The table catches up with its topic asynchronously: ask until the key is there.
    deadline = time.monotonic() + 10
    while True:
        _, rows = rows_of(
            client.query("SELECT * FROM views_per_user WHERE user_id = 'alice';")
        )
        if rows or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert rows == [["alice", 2, 920]], rows

    print("ksql: stream created, 3 rows inserted, push and pull queries read")


if __name__ == "__main__":
    main(sys.argv[1])
