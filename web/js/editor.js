// The SQL editor: a textarea under a highlighted copy of its text, completion of
// keywords, functions and the catalog's stream, table and column names, and a statement
// history kept in the browser.

const KEYWORDS = `SELECT FROM WHERE AND OR NOT AS CREATE STREAM TABLE SOURCE INSERT INTO VALUES
  EMIT CHANGES FINAL LIMIT GROUP BY HAVING PARTITION WINDOW TUMBLING HOPPING SESSION SIZE
  ADVANCE GRACE PERIOD RETENTION JOIN LEFT RIGHT FULL OUTER INNER ON WITHIN DROP TERMINATE
  SHOW LIST STREAMS TABLES TOPICS QUERIES PROPERTIES FUNCTIONS DESCRIBE EXTENDED EXPLAIN PRINT
  BEGINNING SET UNSET DEFINE UNDEFINE WITH KEY PRIMARY NULL IS IN BETWEEN LIKE CASE WHEN THEN
  ELSE END CAST TRUE FALSE IF EXISTS DELETE TOPIC SECONDS MINUTES HOURS DAYS MILLISECONDS
  BOOLEAN INT INTEGER BIGINT DOUBLE DECIMAL VARCHAR STRING BYTES TIMESTAMP DATE TIME ARRAY MAP
  STRUCT ALTER ADD COLUMN RUN SCRIPT REPLACE`.split(/\s+/).filter(Boolean);
const FUNCTIONS = `ABS AVG CEIL COALESCE COLLECT_LIST COLLECT_SET CONCAT COUNT COUNT_DISTINCT
  EARLIEST_BY_OFFSET EXTRACTJSONFIELD FLOOR FORMAT_TIMESTAMP HISTOGRAM IFNULL INSTR LATEST_BY_OFFSET
  LCASE LEN LPAD MAX MIN PARSE_TIMESTAMP REPLACE ROUND RPAD SPLIT STDDEV_SAMP SUBSTRING SUM TOPK
  TRIM UCASE UNIX_TIMESTAMP EXPLODE TRANSFORM FILTER REDUCE ARRAY_LENGTH GENERATE_SERIES
  TIMESTAMPTOSTRING STRINGTOTIMESTAMP`.split(/\s+/).filter(Boolean);
const KEYWORD_SET = new Set(KEYWORDS);
const HISTORY_KEY = "sluice.console.history";
const HISTORY_MAX = 100;

function escapeHtml(text) {
  return text.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]);
}

/** The text as highlighted HTML: keywords, strings, numbers, comments, functions, sources. */
export function highlight(text, sourceNames = new Set()) {
  const token = /(--[^\n]*)|('(?:[^']|'')*'?)|(`[^`]*`?)|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)|([\s\S])/g;
  let html = "";
  let match;
  while ((match = token.exec(text)) !== null) {
    const [whole, comment, string, quoted, number, word] = match;
    if (comment) html += `<span class="tok-comment">${escapeHtml(comment)}</span>`;
    else if (string) html += `<span class="tok-str">${escapeHtml(string)}</span>`;
    else if (quoted) html += `<span class="tok-source">${escapeHtml(quoted)}</span>`;
    else if (number) html += `<span class="tok-num">${number}</span>`;
    else if (word) {
      const upper = word.toUpperCase();
      const isCall = text[token.lastIndex] === "(";
      if (KEYWORD_SET.has(upper) && !isCall) html += `<span class="tok-kw">${word}</span>`;
      else if (isCall) html += `<span class="tok-fn">${word}</span>`;
      else if (sourceNames.has(upper)) html += `<span class="tok-source">${word}</span>`;
      else html += word;
    } else html += escapeHtml(whole);
  }
  // A trailing newline needs content to take up its line in the <pre>.
  return html + "\n";
}

/**
 * The statements of `text`, split at semicolons outside quotes and comments, with where
 * each starts and ends (after its semicolon) in `text`; comments are left out of `sql`.
 */
function statementSpans(text) {
  const spans = [];
  let current = "";
  let start = 0;
  let quote = null;
  const finish = (end) => {
    if (current.trim()) spans.push({ sql: `${current.trim()};`, start, end });
    current = "";
    start = end;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      current += c;
      if (c === quote) quote = null;
    } else if (c === "'" || c === "`") {
      quote = c;
      current += c;
    } else if (c === "-" && text[i + 1] === "-") {
      const end = text.indexOf("\n", i);
      i = end === -1 ? text.length : end;
      current += "\n";
    } else if (c === ";") {
      finish(i + 1);
    } else current += c;
  }
  finish(text.length);
  return spans;
}

/** The statements of `text`, split at semicolons outside quotes and comments. */
export function splitStatements(text) {
  return statementSpans(text).map((span) => span.sql);
}

/** The statement the caret is in, or the one just before it when it is past the last. */
export function statementAt(text, caret) {
  const spans = statementSpans(text);
  const containing = spans.find((span) => caret > span.start && caret <= span.end);
  return (containing || spans.filter((span) => span.end <= caret).pop() || spans[0])?.sql ?? "";
}

export class Editor {
  constructor({ textarea, highlightEl, completionsEl, onRun }) {
    this.textarea = textarea;
    this.highlightEl = highlightEl;
    this.completionsEl = completionsEl;
    this.onRun = onRun;
    this.catalog = { sources: [], columns: new Map() };
    this.history = JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]");
    this.historyIndex = this.history.length;
    this.choices = [];
    this.selected = 0;
    textarea.addEventListener("input", () => {
      this.render();
      this.complete(false);
    });
    textarea.addEventListener("scroll", () => {
      this.highlightEl.parentElement.scrollTop = textarea.scrollTop;
      this.highlightEl.parentElement.scrollLeft = textarea.scrollLeft;
    });
    textarea.addEventListener("keydown", (e) => this.keydown(e));
    textarea.addEventListener("blur", () => setTimeout(() => this.closeCompletions(), 150));
    this.render();
  }

  /** The catalog's names, for highlighting and completion. */
  setCatalog(sources, columns) {
    this.catalog = { sources, columns };
    this.render();
  }

  get value() {
    return this.textarea.value;
  }

  set value(text) {
    this.textarea.value = text;
    this.render();
  }

  /** The selected text, or all of it. */
  statementText() {
    const { selectionStart: start, selectionEnd: end, value } = this.textarea;
    return start !== end ? value.slice(start, end) : value;
  }

  /** The selected text, or the statement the caret is in. */
  statementAtCaret() {
    const { selectionStart: start, selectionEnd: end, value } = this.textarea;
    return start !== end ? value.slice(start, end) : statementAt(value, start);
  }

  remember(text) {
    const trimmed = text.trim();
    if (!trimmed) return;
    this.history = this.history.filter((h) => h !== trimmed);
    this.history.push(trimmed);
    this.history = this.history.slice(-HISTORY_MAX);
    this.historyIndex = this.history.length;
    localStorage.setItem(HISTORY_KEY, JSON.stringify(this.history));
  }

  render() {
    const names = new Set(this.catalog.sources.map((s) => s.name));
    this.highlightEl.innerHTML = highlight(this.textarea.value, names);
  }

  keydown(e) {
    const open = !this.completionsEl.hidden;
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
      e.preventDefault();
      this.closeCompletions();
      this.onRun(e.shiftKey ? this.statementAtCaret() : this.statementText());
    } else if (e.ctrlKey && e.key === " ") {
      e.preventDefault();
      this.complete(true);
    } else if (open && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      this.selected = (this.selected + step + this.choices.length) % this.choices.length;
      this.showCompletions();
    } else if (open && (e.key === "Tab" || e.key === "Enter")) {
      e.preventDefault();
      this.accept(this.choices[this.selected]);
    } else if (open && e.key === "Escape") {
      e.preventDefault();
      this.closeCompletions();
    } else if ((e.ctrlKey || e.metaKey) && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
      e.preventDefault();
      this.historyIndex += e.key === "ArrowUp" ? -1 : 1;
      this.historyIndex = Math.max(0, Math.min(this.history.length, this.historyIndex));
      this.value = this.history[this.historyIndex] || "";
    }
  }

  /** The word being typed before the caret and where it starts. */
  currentWord() {
    const { selectionStart: caret, value } = this.textarea;
    let start = caret;
    while (start > 0 && /[A-Za-z0-9_]/.test(value[start - 1])) start--;
    return { start, caret, word: value.slice(start, caret) };
  }

  complete(forced) {
    const { word } = this.currentWord();
    if (!forced && word.length < 2) {
      this.closeCompletions();
      return;
    }
    const prefix = word.toUpperCase();
    const candidates = [];
    for (const source of this.catalog.sources) candidates.push([source.name, source.kind.toLowerCase()]);
    for (const [source, columns] of this.catalog.columns) {
      for (const column of columns) candidates.push([column.name, `${column.type} · ${source}`]);
    }
    for (const fn of FUNCTIONS) candidates.push([fn, "function"]);
    for (const kw of KEYWORDS) candidates.push([kw, "keyword"]);
    const seen = new Set();
    this.choices = candidates.filter(([name]) => {
      if (!name.toUpperCase().startsWith(prefix) || name.toUpperCase() === prefix || seen.has(name)) return false;
      seen.add(name);
      return true;
    }).slice(0, 40);
    this.selected = 0;
    if (this.choices.length === 0) this.closeCompletions();
    else this.showCompletions();
  }

  showCompletions() {
    const el = this.completionsEl;
    el.innerHTML = "";
    this.choices.forEach(([name, detail], index) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      if (index === this.selected) li.className = "selected";
      li.innerHTML = `<span>${escapeHtml(name)}</span><small>${escapeHtml(detail)}</small>`;
      li.addEventListener("mousedown", (e) => {
        e.preventDefault();
        this.accept(this.choices[index]);
      });
      el.appendChild(li);
    });
    const caret = this.caretBox();
    el.style.top = `${caret.bottom + 2}px`;
    el.style.left = `${Math.min(caret.left, window.innerWidth - 260)}px`;
    el.hidden = false;
    el.children[this.selected]?.scrollIntoView({ block: "nearest" });
  }

  /**
   * Where the caret is drawn: the highlighted copy lays the text out exactly as the
   * textarea does, so the caret's offset in it has the caret's box.
   */
  caretBox() {
    const walker = document.createTreeWalker(this.highlightEl, NodeFilter.SHOW_TEXT);
    let remaining = this.textarea.selectionStart;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (remaining <= node.length) {
        const range = document.createRange();
        range.setStart(node, remaining);
        range.setEnd(node, remaining);
        return range.getBoundingClientRect();
      }
      remaining -= node.length;
    }
    return this.highlightEl.getBoundingClientRect();
  }

  closeCompletions() {
    this.completionsEl.hidden = true;
  }

  accept(choice) {
    if (!choice) return;
    const { start, caret } = this.currentWord();
    const { value } = this.textarea;
    this.textarea.value = value.slice(0, start) + choice[0] + value.slice(caret);
    const at = start + choice[0].length;
    this.textarea.setSelectionRange(at, at);
    this.closeCompletions();
    this.render();
  }
}
