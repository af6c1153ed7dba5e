// Wires the console together: tabs, the editor and its Run/Stop, results, the catalog,
// the queries view (topology and throughput chart) and the topic browser.

import { ksql, runningQueries, serverInfo, streamQuery } from "./api.js";
import { Catalog } from "./catalog.js";
import { LineChart } from "./chart.js";
import { Editor, splitStatements } from "./editor.js";
import { Results } from "./results.js";
import { Topics } from "./topics.js";
import { Topology } from "./topology.js";

const $ = (id) => document.getElementById(id);

const results = new Results({
  container: $("results"),
  message: $("message"),
  rate: $("rate"),
  count: $("row-count"),
  newest: $("newest"),
});
let running = null;

const editor = new Editor({
  textarea: $("sql"),
  highlightEl: $("highlight"),
  completionsEl: $("completions"),
  onRun: run,
});

const catalog = new Catalog({
  container: $("catalog"),
  filter: $("catalog-filter"),
  onSourceClick: (source) => {
    editor.value = `SELECT * FROM ${source.name} EMIT CHANGES;`;
    showView("editor");
    $("sql").focus();
  },
  onTopicClick: (topic) => {
    showView("topics");
    topics.show(topic);
  },
  onQueryClick: (id) => {
    showView("queries");
    document.querySelector(`.query-card[data-query-id="${CSS.escape(id)}"]`)?.scrollIntoView({ block: "nearest" });
  },
  onLoaded: (data) => {
    editor.setCatalog(data.sources, data.columns);
    topics.setTopics(data.topics.map((t) => t.name));
    for (const query of data.queries) statements.set(query.id, query.queryString);
  },
});

const topics = new Topics({
  select: $("topic-select"),
  limit: $("topic-limit"),
  refresh: $("topic-refresh"),
  follow: $("topic-follow"),
  container: $("topic-records"),
  onError: (error) => results.message(error.message, "error"),
});

const topology = new Topology($("query-list"), { onTerminate: terminate });
const chart = new LineChart($("throughput"), {
  series: [{ label: "read", color: "#0f766e" }, { label: "written", color: "#2563eb" }],
});
/** Each running query's SQL, for the queries view: persistent ones from the catalog,
 * push queries from the editor that started them. */
const statements = new Map();

/** Properties SET in this page, sent with every statement as ksqlDB's CLI does. */
const sessionProperties = new Map();

function properties() {
  return { ...Object.fromEntries(sessionProperties), "auto.offset.reset": $("offset-reset").value };
}

/**
 * `SET 'name' = 'value';` and `UNSET 'name';` change this page's properties, as they
 * change a CLI session's; the answer is the note to show, or null for another statement.
 */
function setProperty(statement) {
  const set = /^\s*SET\s+'([^']+)'\s*=\s*'([^']*)'\s*;?\s*$/i.exec(statement);
  const unset = /^\s*UNSET\s+'([^']+)'\s*;?\s*$/i.exec(statement);
  if (set) {
    const [, name, value] = set;
    if (name === "auto.offset.reset" && /^(earliest|latest)$/i.test(value)) {
      $("offset-reset").value = value.toLowerCase();
    } else sessionProperties.set(name, value);
    return `Property '${name}' set to '${value}' for this page's statements.`;
  }
  if (unset) {
    const [, name] = unset;
    if (name === "auto.offset.reset") $("offset-reset").value = "latest";
    sessionProperties.delete(name);
    return `Property '${name}' unset.`;
  }
  return null;
}

function showView(name) {
  for (const button of document.querySelectorAll(".tabs button")) {
    button.classList.toggle("active", button.dataset.view === name);
  }
  for (const view of document.querySelectorAll(".view")) {
    view.classList.toggle("active", view.id === `view-${name}`);
  }
  if (name === "topics") topics.load();
  if (name === "queries") chart.draw();
}

async function terminate(id) {
  try {
    results.entities(await ksql(`TERMINATE ${id};`));
    await catalog.refresh();
    pollQueries();
  } catch (error) {
    results.message(error.message, "error");
  }
}

function isQuery(statement) {
  return /^\s*(SELECT|PRINT)\b/i.test(statement);
}

async function stop() {
  if (!running) return;
  const handle = running;
  running = null;
  $("stop").disabled = true;
  await handle.stop();
}

/** Runs `text` (the editor's selection or all of it), one statement after another. */
async function run(text) {
  const statements = splitStatements(text);
  if (statements.length === 0) return;
  editor.remember(text);
  await stop();
  results.clear();
  results.message("Running…");
  let changedCatalog = false;
  const answered = [];
  let done = 0;
  for (const statement of statements) {
    if (isQuery(statement)) {
      startQuery(statement);
      break;
    }
    const setNote = setProperty(statement);
    if (setNote) {
      answered.push({ commandStatus: { message: setNote } });
      done++;
      continue;
    }
    try {
      answered.push(...await ksql(statement, properties()));
      done++;
      changedCatalog ||= /^\s*(CREATE|DROP|TERMINATE|ALTER|INSERT)\b/i.test(statement);
    } catch (error) {
      results.entities(answered, done);
      results.message(`${error.message}\n\n${statement}`, "error");
      break;
    }
  }
  if (done === statements.length) results.entities(answered, done);
  if (changedCatalog) catalog.refresh().catch(() => {});
}

function startQuery(statement) {
  const started = performance.now();
  $("stop").disabled = false;
  running = streamQuery(statement, properties(), {
    onHeader: (header) => {
      if (header.queryId) statements.set(header.queryId, statement);
      results.begin(header.columnNames || ["record"], header.columnTypes);
      results.message(header.queryId ? `Query ${header.queryId} running — Stop or Esc ends it.` : "");
    },
    onRows: (rows) => results.add(rows),
    onEnd: () => {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      results.stopCounting();
      results.message(`Query ended: ${results.total.toLocaleString()} rows in ${seconds} s.`, "ok");
      running = null;
      $("stop").disabled = true;
    },
    onError: (error) => {
      results.stopCounting();
      results.message(error.message, "error");
      running = null;
      $("stop").disabled = true;
    },
  });
}

async function pollQueries() {
  try {
    const queries = await runningQueries();
    const { inRate, outRate } = topology.update(queries, Date.now(), statements);
    chart.add(Date.now(), [inRate, outRate]);
  } catch {
    // The status line reports an unreachable server.
  }
}

async function pollStatus() {
  const status = $("server-status");
  try {
    const info = await serverInfo();
    status.textContent = `${info.KsqlServerInfo.serverStatus.toLowerCase()} · v${info.KsqlServerInfo.version}`;
    status.className = "server up";
  } catch {
    status.textContent = "server unreachable";
    status.className = "server down";
  }
}

$("run").addEventListener("click", () => run(editor.statementText()));
$("stop").addEventListener("click", stop);
$("catalog-refresh").addEventListener("click", () => catalog.refresh());
const VIEWS = ["editor", "queries", "topics"];
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && running && $("completions").hidden) stop();
  else if (e.altKey && VIEWS[Number(e.key) - 1]) {
    e.preventDefault();
    showView(VIEWS[Number(e.key) - 1]);
  } else if (e.key === "/" && e.target === document.body) {
    e.preventDefault();
    $("catalog-filter").focus();
  }
});
for (const button of document.querySelectorAll(".tabs button")) {
  button.addEventListener("click", () => showView(button.dataset.view));
}

pollStatus();
setInterval(pollStatus, 5000);
setInterval(pollQueries, 1000);
catalog.refresh().catch((error) => results.message(error.message, "error"));
// Other clients change the catalog too: catch up when the page comes back into view.
window.addEventListener("focus", () => catalog.refresh().catch(() => {}));
