// Drives a running `sluice server` with the npm package `ksqldb-client`, exactly as its
// README shows: create a stream, insert rows, read a push query and a pull query.
// Usage: node e2e.js HOST:PORT. Exits non-zero, saying what went wrong, on any failure.
"use strict";

const assert = require("node:assert/strict");
const KsqldbClient = require("ksqldb-client");

const [host, port] = process.argv[2].split(":");
const client = new KsqldbClient({ host: `http://${host}`, port: Number(port) });
const earliest = { properties: { "auto.offset.reset": "earliest" } };

async function statement(sql, params) {
  const { status, error } = await client.executeStatement(sql, params);
  assert.equal(error, undefined, `${sql} failed: ${JSON.stringify(error)}`);
  assert.equal(status, 200, `${sql} answered ${status}`);
}

async function pull(sql) {
  // A table is caught up with its topic asynchronously: ask until the key is there.
  for (let attempt = 0; attempt < 100; attempt++) {
    const { data, error } = await client.query(sql);
    assert.equal(error, undefined, `${sql} failed: ${JSON.stringify(error)}`);
    if (data.rows.length > 0) return data;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${sql} returned no rows in 10 s`);
}

async function main() {
  await client.connect();

  await statement(
    "CREATE STREAM pageviews (user_id STRING KEY, page STRING, ms BIGINT) " +
      "WITH (KAFKA_TOPIC='node_pageviews', PARTITIONS=1, VALUE_FORMAT='JSON');",
  );
  const streams = await client.listStreams();
  assert.ok(
    JSON.stringify(streams).includes("PAGEVIEWS"),
    `LIST STREAMS lacks PAGEVIEWS: ${JSON.stringify(streams)}`,
  );

  const views = [
    { USER_ID: "alice", PAGE: "/home", MS: 120 },
    { USER_ID: "bob", PAGE: "/cart", MS: 4300 },
    { USER_ID: "alice", PAGE: "/pay", MS: 800 },
  ];
  for (const row of views) {
    const { status, error } = await client.insertInto("PAGEVIEWS", row);
    assert.equal(error, undefined, `insertInto failed: ${JSON.stringify(error)}`);
    assert.equal(status, 200);
  }

  // A push query that ends by its LIMIT: every inserted row arrives, in order.
  const pushed = [];
  const { status: pushStatus, error: pushError, data: pushData } = await client.streamQuery(
    "SELECT user_id, page, ms FROM pageviews EMIT CHANGES LIMIT 3;",
    ({ rows }) => rows && pushed.push(...rows),
    earliest,
  );
  assert.equal(pushError, undefined, `push query failed: ${JSON.stringify(pushError)}`);
  assert.equal(pushStatus, 200);
  assert.deepEqual(pushData.metadata.columnNames, ["USER_ID", "PAGE", "MS"]);
  assert.deepEqual(pushed, views);

  // A push query without a LIMIT, ended by the client through /close-query.
  let queryId;
  const open = client.streamQuery(
    "SELECT * FROM pageviews EMIT CHANGES;",
    ({ metadata, rows }) => {
      queryId = metadata.queryId;
      if (rows && rows.length > 0) pushed.push(...rows);
    },
    earliest,
  );
  for (let wait = 0; pushed.length < 6 && wait < 100; wait++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(pushed.length, 6, "the open push query did not deliver the three rows");
  assert.ok(queryId, "the push query's metadata had no queryId");
  const { error: closeError } = await client.terminatePushQuery(queryId);
  assert.equal(closeError, undefined, `close-query failed: ${JSON.stringify(closeError)}`);
  await open;

  // A materialized table answers pull queries.
  await statement(
    "CREATE TABLE views_per_user AS SELECT user_id, COUNT(*) AS views, SUM(ms) AS total_ms " +
      "FROM pageviews GROUP BY user_id EMIT CHANGES;",
    { streamsProperties: { "auto.offset.reset": "earliest" } },
  );
  const data = await pull("SELECT * FROM views_per_user WHERE user_id = 'alice';");
  assert.deepEqual(data.metadata.columnNames, ["USER_ID", "VIEWS", "TOTAL_MS"]);
  assert.deepEqual(data.rows, [{ USER_ID: "alice", VIEWS: 2, TOTAL_MS: 920 }]);

  const description = await client.describeSource("VIEWS_PER_USER");
  assert.ok(
    JSON.stringify(description).includes("TOTAL_MS"),
    `DESCRIBE lacks TOTAL_MS: ${JSON.stringify(description)}`,
  );

  await client.disconnect();
  console.log("ksqldb-client: stream created, 3 rows inserted, push and pull queries read");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
