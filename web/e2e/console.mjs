// Drives the web console in headless Chromium: creates a stream and a persistent query,
// inserts rows, runs a push query and waits for the rows to arrive, stops it, and saves
// screenshots of the editor and of the running query's topology.
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
  await page.selectOption("#offset-reset", "earliest");
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
  await page.fill("#sql", "SELECT * FROM slow_clicks EMIT CHANGES;");
  await page.screenshot({ path: `${shots}/console.png` });

  // Stop ends it.
  await page.click("#stop");
  await page.waitForFunction(() => document.querySelector("#message").textContent.includes("Query ended"),
    null, { timeout: 15000 });
  if (!(await page.isDisabled("#stop"))) throw new Error("Stop still enabled after the query ended");

  // The persistent query's topology, with its operators.
  await page.click('.tabs button[data-view="queries"]');
  await page.waitForSelector('.query-card[data-query-id^="CSAS_SLOW_CLICKS"] svg .node.op', { timeout: 15000 });
  await page.waitForTimeout(1200);
  await page.screenshot({ path: `${shots}/console-queries.png` });

  // The topic browser shows the records with partition and offset.
  await page.click('.tabs button[data-view="topics"]');
  await page.selectOption("#topic-select", "clicks");
  await page.waitForFunction(() => document.querySelectorAll("#topic-records tbody tr").length === 5,
    null, { timeout: 15000 });

  if (failures.length > 0) throw new Error(`errors in the page: ${failures.join("; ")}`);
  console.log(`console: stream created, ${pages.length} rows streamed, query stopped; screenshots in ${shots}`);
} catch (error) {
  await page.screenshot({ path: `${shots}/console-failure.png` }).catch(() => {});
  console.error(error);
  process.exitCode = 1;
} finally {
  await browser.close();
}
