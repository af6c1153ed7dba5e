// The results pane: streamed rows in a table that stays responsive at thousands of rows
// per second (rows are appended once per animation frame and only the newest are kept in
// the page), with a live rows/s counter, and /ksql answers rendered as tables.

const KEPT_ROWS = 1000;

function cellText(value) {
  if (value === null || value === undefined) return null;
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function td(value) {
  const cell = document.createElement("td");
  const text = cellText(value);
  if (text === null) {
    cell.textContent = "null";
    cell.className = "null";
  } else {
    cell.textContent = text;
    cell.title = text;
    if (typeof value === "number") cell.className = "num";
  }
  return cell;
}

/** A table of `columns` (names, optional types) and `rows` (arrays of values). */
export function table(columns, types, rows) {
  const grid = document.createElement("table");
  grid.className = "grid";
  const head = grid.createTHead().insertRow();
  columns.forEach((name, i) => {
    const th = document.createElement("th");
    th.textContent = name;
    if (types && types[i]) {
      const small = document.createElement("small");
      small.textContent = types[i];
      th.appendChild(small);
    }
    head.appendChild(th);
  });
  const body = grid.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const value of row) tr.appendChild(td(value));
  }
  return grid;
}

export class Results {
  constructor({ container, message, rate, count }) {
    this.container = container;
    this.messageEl = message;
    this.rateEl = rate;
    this.countEl = count;
    this.pending = [];
    this.total = 0;
    this.frame = null;
    this.rateTimer = null;
  }

  message(text, kind = "") {
    this.messageEl.textContent = text;
    this.messageEl.className = `message ${kind}`;
  }

  clear() {
    this.stopCounting();
    this.container.replaceChildren();
    this.pending = [];
    this.total = 0;
    this.rateEl.textContent = "";
    this.countEl.textContent = "";
  }

  /** Starts a table for a query's rows. */
  begin(columns, types) {
    this.clear();
    const grid = table(columns, types, []);
    this.body = grid.tBodies[0];
    this.container.appendChild(grid);
    let counted = 0;
    let last = performance.now();
    this.rateTimer = setInterval(() => {
      const now = performance.now();
      const perSecond = ((this.total - counted) * 1000) / (now - last);
      counted = this.total;
      last = now;
      this.rateEl.textContent = `${Math.round(perSecond).toLocaleString()} rows/s`;
    }, 500);
  }

  /** Queues rows; they reach the page on the next animation frame. */
  add(rows) {
    this.pending.push(...rows);
    this.total += rows.length;
    if (this.frame === null) this.frame = requestAnimationFrame(() => this.flush());
  }

  flush() {
    this.frame = null;
    if (!this.body) return;
    const rows = this.pending.length > KEPT_ROWS ? this.pending.slice(-KEPT_ROWS) : this.pending;
    this.pending = [];
    const fragment = document.createDocumentFragment();
    for (const row of rows) {
      const tr = document.createElement("tr");
      for (const value of row) tr.appendChild(td(value));
      fragment.appendChild(tr);
    }
    const pinned = this.container.scrollTop + this.container.clientHeight >= this.container.scrollHeight - 4;
    this.body.appendChild(fragment);
    while (this.body.rows.length > KEPT_ROWS) this.body.deleteRow(0);
    if (pinned) this.container.scrollTop = this.container.scrollHeight;
    const shown = this.body.rows.length;
    this.countEl.textContent = `${this.total.toLocaleString()} rows` +
      (shown < this.total ? ` (newest ${shown.toLocaleString()} shown)` : "");
  }

  /** Stops the rows/s counter; the last figures stay. */
  stopCounting() {
    if (this.rateTimer) clearInterval(this.rateTimer);
    this.rateTimer = null;
    if (this.frame !== null) {
      cancelAnimationFrame(this.frame);
      this.flush();
    }
  }

  /** ksqlDB's entities from /ksql, each as a table or a line. */
  entities(entities) {
    this.clear();
    const notes = [];
    for (const entity of entities) {
      const view = entityView(entity);
      if (view.note) notes.push(view.note);
      if (view.table) this.container.appendChild(view.table);
    }
    this.message(notes.join("\n"), "ok");
    if (!this.container.hasChildNodes() && notes.length === 0) {
      this.container.innerHTML = '<div class="empty-result">Done.</div>';
    }
  }
}

/** How one /ksql entity is shown: a note, a table, or both. */
function entityView(entity) {
  if (entity.commandStatus) return { note: entity.commandStatus.message };
  if (entity.sourceDescription) {
    const d = entity.sourceDescription;
    return {
      note: `${d.type} ${d.name} on topic ${d.topic} (key ${d.keyFormat}, value ${d.valueFormat})`,
      table: table(
        ["Field", "Type"],
        null,
        d.fields.map((f) => [f.name, `${f.schema.type}${f.type === "KEY" ? " (key)" : ""}`]),
      ),
    };
  }
  if (entity.queryDescription) {
    const q = entity.queryDescription;
    return { note: `${q.id}: ${q.statementText}\n${q.executionPlan}` };
  }
  // SHOW/LIST answers: the first list of objects, as a table.
  for (const [key, value] of Object.entries(entity)) {
    if (Array.isArray(value) && value.length > 0 && typeof value[0] === "object") {
      const columns = Object.keys(value[0]).filter((c) => c !== "@type");
      return { table: table(columns, null, value.map((item) => columns.map((c) => item[c]))) };
    }
    if (Array.isArray(value) && key !== "warnings") return { note: `No ${key}.` };
  }
  return { note: entity.message || JSON.stringify(entity) };
}
