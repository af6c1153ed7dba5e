// The results pane: a query's rows in a table that stays responsive at thousands of rows
// per second, with a live rows/s counter, and /ksql answers rendered as tables.
//
// Streamed rows are kept in memory (the newest KEPT_ROWS) and only the rows in view are in
// the page: the table is redrawn at most once per animation frame, whatever the arrival
// rate, by reusing the same few dozen <tr> elements. Scrolled to the bottom, the view
// follows new rows; scrolled up, it holds still on the rows being read.

import { typeName } from "./api.js";

const KEPT_ROWS = 10_000;
/** Rows drawn beyond each edge of the view, so a quick scroll shows no gap. */
const OVERSCAN = 12;
/** Rows sampled to size the columns; widths stay fixed afterwards so the table holds still. */
const SIZING_ROWS = 200;
const MIN_COLUMN_CHARS = 6;
const MAX_COLUMN_CHARS = 60;
/** The row-number column fits 9,999,999. */
const ROW_NUMBER_CHARS = 9;
const NUMERIC_TYPE = /^(TINYINT|SMALLINT|INT|INTEGER|BIGINT|DOUBLE|FLOAT|REAL|DECIMAL)\b/i;

function cellText(value) {
  if (value === null || value === undefined) return null;
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** Shows `value` in `cell`: null in grey, numbers to the right, long text whole on hover. */
function fill(cell, value) {
  const text = cellText(value);
  const shown = text === null ? "null" : text;
  if (cell.textContent !== shown) cell.textContent = shown;
  cell.className = text === null ? "null" : typeof value === "number" ? "num" : "";
  cell.title = text !== null && text.length > 40 ? text : "";
}

function header(columns, types) {
  const head = document.createElement("thead");
  const row = head.insertRow();
  columns.forEach((name, i) => {
    const th = document.createElement("th");
    th.textContent = name;
    if (types && NUMERIC_TYPE.test(types[i] || "")) th.className = "num";
    if (types && types[i]) {
      const small = document.createElement("small");
      small.textContent = types[i];
      th.appendChild(small);
    }
    row.appendChild(th);
  });
  return head;
}

/** A table of `columns` (names, optional types) and `rows` (arrays of values). */
export function table(columns, types, rows) {
  const grid = document.createElement("table");
  grid.className = "grid";
  grid.appendChild(header(columns, types));
  const body = grid.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const value of row) fill(tr.insertCell(), value);
  }
  return grid;
}

/**
 * A query's rows, newest last, drawn as the scroll position needs them. Columns are
 * '#' (the row's number since the query started), the query's, and an empty last one that
 * takes the width the others leave.
 */
class StreamTable {
  constructor(scroller, columns, types) {
    this.scroller = scroller;
    this.columns = columns;
    this.rows = [];
    /** How many rows were dropped from the front to keep KEPT_ROWS. */
    this.dropped = 0;
    this.sized = false;
    this.grid = document.createElement("table");
    this.grid.className = "grid stream";
    this.colgroup = document.createElement("colgroup");
    this.grid.append(this.colgroup, header(["#", ...columns, ""], types && ["", ...types, ""]));
    this.body = this.grid.createTBody();
    this.above = this.spacer();
    this.below = this.spacer();
    this.body.append(this.above, this.below);
    this.drawn = [];
    this.rowHeight = 0;
    this.sizeColumns();
    scroller.appendChild(this.grid);
  }

  spacer() {
    const tr = document.createElement("tr");
    tr.className = "spacer";
    const td = tr.insertCell();
    td.colSpan = this.columns.length + 2;
    return tr;
  }

  /** Column widths from the header and the first rows, in characters of the mono font. */
  sizeColumns() {
    const sample = this.rows.slice(0, SIZING_ROWS);
    const widest = [ROW_NUMBER_CHARS, ...this.columns.map((name, i) => {
      let chars = name.length + 8;
      for (const row of sample) chars = Math.max(chars, (cellText(row[i]) ?? "null").length);
      return Math.min(MAX_COLUMN_CHARS, Math.max(MIN_COLUMN_CHARS, chars));
    })];
    const cols = widest.map((chars) => {
      const col = document.createElement("col");
      col.style.width = `calc(${chars}ch + 20px)`;
      return col;
    });
    this.colgroup.replaceChildren(...cols, document.createElement("col"));
    this.sized = sample.length > 0;
  }

  /** Appends rows; returns how many the front lost to keep the newest KEPT_ROWS. */
  add(rows) {
    for (const row of rows) this.rows.push(row);
    const excess = this.rows.length - KEPT_ROWS;
    if (excess <= 0) return 0;
    this.rows.splice(0, excess);
    this.dropped += excess;
    return excess;
  }

  isAtBottom() {
    const s = this.scroller;
    return s.scrollTop + s.clientHeight >= s.scrollHeight - Math.max(4, this.rowHeight);
  }

  /** Redraws the rows in view; `follow` scrolls to the newest first, `trimmed` rows left the front. */
  draw({ follow, trimmed }) {
    if (!this.sized && this.rows.length > 0) this.sizeColumns();
    if (this.rowHeight === 0 && this.rows.length > 0) this.measureRow();
    const height = this.rowHeight || 1;
    const s = this.scroller;
    if (!follow && trimmed > 0) s.scrollTop = Math.max(0, s.scrollTop - trimmed * height);
    const headerHeight = this.grid.tHead.offsetHeight;
    const total = this.rows.length;
    const visible = Math.ceil((s.clientHeight - headerHeight) / height) + 1;
    const top = follow ? Math.max(0, total - visible) : Math.floor(s.scrollTop / height);
    const first = Math.max(0, Math.min(top, total) - OVERSCAN);
    const last = Math.min(total, top + visible + OVERSCAN);
    this.above.firstChild.style.height = `${first * height}px`;
    this.below.firstChild.style.height = `${(total - last) * height}px`;
    this.ensureDrawnRows(last - first);
    for (let i = first; i < last; i++) {
      const tr = this.drawn[i - first];
      const row = this.rows[i];
      const number = this.dropped + i + 1;
      tr.className = number % 2 === 0 ? "row even" : "row";
      tr.cells[0].textContent = number.toLocaleString();
      for (let c = 0; c < this.columns.length; c++) fill(tr.cells[c + 1], row[c]);
    }
    if (follow) s.scrollTop = s.scrollHeight;
  }

  /** Keeps exactly `count` data rows between the spacers. */
  ensureDrawnRows(count) {
    while (this.drawn.length < count) {
      const tr = document.createElement("tr");
      tr.className = "row";
      tr.insertCell();
      for (let c = 0; c <= this.columns.length; c++) tr.insertCell();
      this.body.insertBefore(tr, this.below);
      this.drawn.push(tr);
    }
    while (this.drawn.length > count) this.drawn.pop().remove();
  }

  measureRow() {
    this.ensureDrawnRows(1);
    this.rowHeight = this.drawn[0].getBoundingClientRect().height;
  }
}

export class Results {
  constructor({ container, message, rate, count, newest }) {
    this.container = container;
    this.messageEl = message;
    this.rateEl = rate;
    this.countEl = count;
    this.newestButton = newest;
    this.stream = null;
    this.total = 0;
    this.trimmed = 0;
    this.follow = true;
    this.frame = null;
    this.rateTimer = null;
    container.addEventListener("scroll", () => {
      if (!this.stream) return;
      const wasFollowing = this.follow;
      this.follow = this.stream.isAtBottom();
      this.newestButton.hidden = this.follow;
      // Following, the scroll is the table's own move to the newest row: already drawn.
      if (!(wasFollowing && this.follow)) this.schedule();
    });
    newest.addEventListener("click", () => {
      this.follow = true;
      newest.hidden = true;
      this.schedule();
    });
  }

  message(text, kind = "") {
    this.messageEl.textContent = text;
    this.messageEl.className = `message ${kind}`;
  }

  clear() {
    this.stopCounting();
    this.container.replaceChildren();
    this.stream = null;
    this.total = 0;
    this.trimmed = 0;
    this.follow = true;
    this.newestButton.hidden = true;
    this.rateEl.textContent = "";
    this.countEl.textContent = "";
  }

  /** Starts a table for a query's rows and the rows/s counter. */
  begin(columns, types) {
    this.clear();
    this.stream = new StreamTable(this.container, columns, types);
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

  /** Takes rows as they arrive; the page shows them on the next animation frame. */
  add(rows) {
    if (!this.stream) return;
    this.trimmed += this.stream.add(rows);
    this.total += rows.length;
    this.schedule();
  }

  schedule() {
    if (this.frame === null) this.frame = requestAnimationFrame(() => this.draw());
  }

  draw() {
    this.frame = null;
    if (!this.stream) return;
    this.stream.draw({ follow: this.follow, trimmed: this.trimmed });
    this.trimmed = 0;
    const kept = this.stream.rows.length;
    this.countEl.textContent = `${this.total.toLocaleString()} rows` +
      (kept < this.total ? ` · newest ${kept.toLocaleString()} kept` : "");
  }

  /** Stops the rows/s counter and draws what arrived; the last figures stay. */
  stopCounting() {
    if (this.rateTimer) clearInterval(this.rateTimer);
    this.rateTimer = null;
    if (this.frame !== null) {
      cancelAnimationFrame(this.frame);
      this.draw();
    }
  }

  /**
   * ksqlDB's entities from /ksql, each as a table or a line; `statements` is how many
   * statements gave them, for the note when none has anything to say.
   */
  entities(entities, statements = 1) {
    this.clear();
    const notes = [];
    for (const entity of entities) {
      const view = entityView(entity);
      if (view.note) notes.push(view.note);
      if (view.table) this.container.appendChild(view.table);
    }
    if (notes.length === 0 && !this.container.hasChildNodes()) {
      notes.push(statements === 1 ? "Done." : `${statements} statements done.`);
    }
    this.message(notes.join("\n"), "ok");
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
        d.fields.map((f) => [f.name, `${typeName(f.schema)}${f.type === "KEY" ? " (key)" : ""}`]),
      ),
    };
  }
  if (entity["@type"] === "describe_function") {
    const argument = (a) => `${a.name} ${a.type}${a.isVariadic ? "..." : ""}`;
    return {
      note: `${entity.name} (${entity.type}): ${entity.description}`,
      table: table(
        ["Variation", "Returns"],
        null,
        entity.functions.map((f) => [
          `${entity.name}(${f.arguments.map(argument).join(", ")})`,
          f.returnType,
        ]),
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
