// Drives the web console in headless Chromium: creates a stream and a persistent query,
// inserts rows, runs a push query and waits for the rows to arrive, stops it, browses the
// topic, and watches the persistent query's topology while its source is fed. Saves
// screenshots of the editor, the topic browser and the queries view.
// Usage: node console.mjs URL SCREENSHOT_DIR. Exits non-zero, saying why, on any failure.

import { chromium } from "playwright-core";

const [url, shots] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
const failures = [];
page.on("pageerror", (error) => failures.push(error.message));

async function runSql(sql, expected) {
  await page.fill("#sql", sql);
  await page.click("#run");
  await page.waitForFunction(
    (text) => document.querySelector("#message").textContent.includes(text),
    expected,
    { timeout: 15000 },
  );
}

try {
  await page.goto(url);
  await page.waitForSelector("#server-status.up", { timeout: 15000 });

  await runSql(
    "CREATE STREAM clicks (user_id STRING KEY, page STRING, ms BIGINT) " +
      "WITH (KAFKA_TOPIC='clicks', PARTITIONS=1, VALUE_FORMAT='JSON');",
    "Stream created",
  );
  await runSql("SET 'auto.offset.reset' = 'earliest';", "set to 'earliest'");
  if ((await page.inputValue("#offset-reset")) !== "earliest") throw new Error("SET did not reach auto.offset.reset");
  await runSql(
    "CREATE STREAM slow_clicks AS SELECT user_id, page, ms FROM clicks WHERE ms > 100;",
    "Created query",
  );
  const pages = ["/home", "/cart", "/pay", "/help", "/search"];
  const inserts = pages.map((p, i) =>
    `INSERT INTO clicks (user_id, page, ms) VALUES ('user-${i}', '${p}', ${150 + i * 100});`);
  await runSql(inserts.join("\n"), "");

  // The catalog lists the new streams.
  await page.waitForSelector('#catalog details[data-name="SLOW_CLICKS"]', { timeout: 15000 });

  // A push query: the rows arrive in the results table while it runs.
  await page.fill("#sql", "SELECT * FROM slow_clicks EMIT CHANGES;");
  await page.click("#run");
  await page.waitForFunction(
    (n) => document.querySelectorAll("#results table tbody tr.row").length >= n,
    pages.length,
    { timeout: 20000 },
  );
  const cells = await page.$$eval("#results table tbody tr.row", (rows) =>
    rows.map((row) => [...row.cells].map((cell) => cell.textContent)));
  for (const p of pages) {
    if (!cells.some((row) => row.includes(p))) throw new Error(`row for ${p} missing: ${JSON.stringify(cells)}`);
  }
  if (await page.isDisabled("#stop")) throw new Error("Stop is disabled while the query runs");
  await page.waitForFunction(() => /rows\/s/.test(document.querySelector("#rate").textContent),
    null, { timeout: 15000 });
  await page.screenshot({ path: `${shots}/console.png` });

  // Stop ends it.
  await page.click("#stop");
  await page.waitForFunction(() => document.querySelector("#message").textContent.includes("Query ended"),
    null, { timeout: 15000 });
  if (!(await page.isDisabled("#stop"))) throw new Error("Stop still enabled after the query ended");

  // The topic browser, opened from the catalog, shows the records with their key,
  // timestamp, partition and offset.
  await page.click('#catalog a[title="Browse the records of clicks"]');
  await page.waitForFunction(() => document.querySelectorAll("#topic-records tbody tr").length === 5,
    null, { timeout: 15000 });
  const topicColumns = await page.$$eval("#topic-records th", (ths) => ths.map((th) => th.textContent));
  for (const column of ["timestamp", "partition", "offset", "key", "value"]) {
    if (!topicColumns.some((name) => name.startsWith(column))) throw new Error(`topic browser lacks ${column}: ${topicColumns}`);
  }
  await page.screenshot({ path: `${shots}/console-topics.png` });

  // The persistent query's topology, with records/s on its nodes while its source is fed.
  await page.click('.tabs button[data-view="queries"]');
  const card = '.query-card[data-query-id^="CSAS_SLOW_CLICKS"]';
  await page.waitForSelector(`${card} svg .node.op`, { timeout: 15000 });
  const feeding = page.evaluate(async () => {
    window.feeding = true;
    for (let round = 0; window.feeding && round < 300; round++) {
      const rows = Array.from({ length: 20 }, (_, i) =>
        JSON.stringify({ USER_ID: `user-${i}`, PAGE: `/item/${round}`, MS: 100 + i * 10 }));
      await fetch("/inserts-stream", { method: "POST", body: [JSON.stringify({ target: "CLICKS" }), ...rows].join("\n") });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  await page.waitForFunction(
    (card) => [...document.querySelectorAll(`${card} .node.source text.stat`)]
      .some((text) => !text.textContent.startsWith("0 ")),
    card, { timeout: 20000 });
  await page.waitForTimeout(3000);
  await page.screenshot({ path: `${shots}/console-queries.png` });
  await page.evaluate(() => { window.feeding = false; });
  await feeding;

  if (failures.length > 0) throw new Error(`errors in the page: ${failures.join("; ")}`);
  console.log(`console: stream created, ${pages.length} rows streamed, query stopped; screenshots in ${shots}`);
} catch (error) {
  await page.screenshot({ path: `${shots}/console-failure.png` }).catch(() => {});
  console.error(error);
  if (failures.length > 0) console.error(`errors in the page: ${failures.join("; ")}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
