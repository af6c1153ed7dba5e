// Each running query as a card: its statement, its counters, its pipeline drawn as a
// graph — source topics, join, operators, sink — with records/s and lag on every node,
// and a sparkline of its throughput, from successive polls of /console/api/queries.
//
// Lag is counted where records wait: in the input topics. The operators of a query run one
// after the other on each batch, with no queue between them, so an operator's lag is its
// query's: the input records it has yet to see.

import { LineChart } from "./chart.js";

const SVG = "http://www.w3.org/2000/svg";
const NODE_W = 164;
const NODE_H = 48;
const GAP_X = 30;
const GAP_Y = 12;
const IN_COLOR = "#0f766e";
const OUT_COLOR = "#2563eb";

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function perSecond(now, before, seconds) {
  if (before === undefined || seconds <= 0) return 0;
  return Math.max(0, (now - before) / seconds);
}

function fmt(n) {
  return Math.round(n).toLocaleString();
}

/** One query's card; kept across polls so its sparkline has a history. */
class QueryCard {
  constructor(query, onTerminate) {
    this.title = el("h2", {}, query.id, el("small", { textContent: query.kind.toLowerCase() }));
    const actions = el("div", { className: "card-actions" });
    if (query.kind === "PERSISTENT") {
      const terminate = el("button", { className: "danger small", textContent: "Terminate",
        title: `TERMINATE ${query.id};` });
      terminate.addEventListener("click", () => onTerminate(query.id));
      actions.append(terminate);
    }
    this.statement = el("div", { className: "statement" });
    this.stats = el("div", { className: "stats" });
    this.graphBox = el("div", { className: "graph" });
    this.canvas = el("canvas", { className: "sparkline" });
    this.sparkline = new LineChart(this.canvas, {
      series: [{ label: "in", color: IN_COLOR }, { label: "out", color: OUT_COLOR }],
      seconds: 60,
      axes: false,
    });
    this.element = el("article", { className: "query-card" },
      el("header", {}, this.title, actions), this.statement,
      el("div", { className: "card-body" }, this.graphBox,
        el("div", { className: "side" }, this.stats, this.canvas)));
    this.element.dataset.queryId = query.id;
  }

  update(query, before, seconds, now, statement) {
    const inRate = perSecond(query.recordsIn, before?.recordsIn, seconds);
    const outRate = perSecond(query.recordsOut, before?.recordsOut, seconds);
    this.statement.textContent = statement || "";
    this.statement.title = statement || "";
    this.stats.replaceChildren(
      stat("in", `${fmt(inRate)}/s`, `${fmt(query.recordsIn)} records read`),
      stat("out", `${fmt(outRate)}/s`, `${fmt(query.recordsOut)} rows written`),
      stat("lag", fmt(query.lag), "records not read yet", query.lag > 0 ? "lagging" : ""),
    );
    this.graphBox.replaceChildren(graph(query, before, seconds, inRate, outRate));
    this.sparkline.add(now, [inRate, outRate]);
    return { inRate, outRate };
  }
}

function stat(name, value, detail, kind = "") {
  return el("div", { className: `stat ${kind}`, title: detail },
    el("span", { className: "value", textContent: value }), el("span", { textContent: name }));
}

/** The pipeline as an SVG graph, one column of nodes per stage, left to right. */
function graph(query, before, seconds, inRate, outRate) {
  const lag = `lag ${fmt(query.lag)}`;
  const columns = [];
  columns.push(query.sources.map((source, i) => ({
    kind: "source",
    name: source.topic,
    stat: `${fmt(perSecond(source.position, before?.sources?.[i]?.position, seconds))} rec/s · lag ${fmt(source.lag)}`,
    lagging: source.lag > 0,
    tip: `topic ${source.topic}: read up to ${fmt(source.position)}, ${fmt(source.lag)} records not read yet`,
  })));
  if (query.join) {
    columns.push([{ kind: "op", name: "Join", stat: `${fmt(inRate)} rec/s · ${lag}`,
      lagging: query.lag > 0, tip: "joins the sources' rows in time order" }]);
  }
  query.operators.forEach((op, i) => {
    const rate = perSecond(op.rowsIn, before?.operators?.[i]?.rowsIn, seconds);
    columns.push([{ kind: "op", name: op.name, stat: `${fmt(rate)} rows/s · ${lag}`,
      lagging: query.lag > 0,
      tip: `${op.name}: ${fmt(op.rowsIn)} rows in, ${fmt(op.rowsOut)} out; lag is the query's input lag` }]);
  });
  columns.push([query.sink
    ? { kind: "sink", name: query.sink, stat: `${fmt(outRate)} rows/s written`, tip: `sink topic ${query.sink}` }
    : { kind: "sink", name: "client", stat: `${fmt(outRate)} rows/s sent`, tip: "the push query's client" }]);

  const rows = Math.max(...columns.map((c) => c.length));
  const width = columns.length * (NODE_W + GAP_X);
  const height = rows * (NODE_H + GAP_Y) + GAP_Y;
  // Drawn at its natural size, or shrunk to the card's width for a long pipeline.
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img",
    style: `max-width: ${width}px`, "aria-label": `Topology of ${query.id}` });
  const defs = svg("defs");
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5,
    markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
  marker.appendChild(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#94a3b8" }));
  defs.appendChild(marker);
  root.appendChild(defs);
  const corners = columns.map((column, ci) => column.map((_, ri) => {
    const offset = ((rows - column.length) * (NODE_H + GAP_Y)) / 2;
    return [ci * (NODE_W + GAP_X) + GAP_X / 2, GAP_Y + offset + ri * (NODE_H + GAP_Y)];
  }));
  for (let ci = 1; ci < columns.length; ci++) {
    for (const [fx, fy] of corners[ci - 1]) {
      for (const [tx, ty] of corners[ci]) {
        const x1 = fx + NODE_W;
        const y1 = fy + NODE_H / 2;
        const y2 = ty + NODE_H / 2;
        root.appendChild(svg("path", {
          class: inRate > 0 ? "edge flowing" : "edge",
          d: `M ${x1} ${y1} C ${x1 + GAP_X / 2} ${y1}, ${tx - GAP_X / 2} ${y2}, ${tx - 2} ${y2}`,
        }));
      }
    }
  }
  columns.forEach((column, ci) => column.forEach((node, ri) => {
    const [x, y] = corners[ci][ri];
    const group = svg("g", { class: `node ${node.kind}${node.lagging ? " lagging" : ""}`,
      transform: `translate(${x} ${y})` });
    group.appendChild(svg("rect", { width: NODE_W, height: NODE_H, rx: 7 }));
    const name = node.name.length > 22 ? `${node.name.slice(0, 21)}…` : node.name;
    group.appendChild(svg("text", { x: 11, y: 20, class: "name" }, name));
    group.appendChild(svg("text", { x: 11, y: 37, class: "stat" }, node.stat));
    group.appendChild(svg("title", {}, node.tip));
    root.appendChild(group);
  }));
  return root;
}

export class Topology {
  constructor(container, { onTerminate }) {
    this.container = container;
    this.onTerminate = onTerminate;
    this.cards = new Map();
    this.previous = new Map();
    this.previousAt = 0;
    this.empty = el("div", { className: "empty-result",
      textContent: "No query is running. Start one from the editor." });
  }

  /**
   * Redraws every query (`statements`: query id → its SQL); returns the records/s read
   * and the rows/s written by all of them.
   */
  update(queries, now, statements) {
    const seconds = this.previousAt ? (now - this.previousAt) / 1000 : 0;
    let inRate = 0;
    let outRate = 0;
    const shown = [];
    for (const query of queries) {
      let card = this.cards.get(query.id);
      if (!card) {
        card = new QueryCard(query, this.onTerminate);
        this.cards.set(query.id, card);
      }
      const rates = card.update(query, this.previous.get(query.id), seconds, now, statements.get(query.id));
      inRate += rates.inRate;
      outRate += rates.outRate;
      shown.push(card.element);
    }
    const running = new Set(queries.map((q) => q.id));
    for (const id of this.cards.keys()) if (!running.has(id)) this.cards.delete(id);
    this.previous = new Map(queries.map((q) => [q.id, q]));
    this.previousAt = now;
    if (shown.length === 0) shown.push(this.empty);
    const current = [...this.container.children];
    if (current.length !== shown.length || current.some((child, i) => child !== shown[i])) {
      this.container.replaceChildren(...shown);
    }
    return { inRate, outRate };
  }
}
