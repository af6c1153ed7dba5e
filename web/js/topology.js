// Each running query's pipeline drawn as a graph — source topics, join, operators, sink —
// with records/s on every operator and lag on every source, from successive polls of
// /console/api/queries.

const SVG = "http://www.w3.org/2000/svg";
const NODE_W = 168;
const NODE_H = 46;
const GAP_X = 34;
const GAP_Y = 12;

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function perSecond(now, before, seconds) {
  if (before === undefined || seconds <= 0) return 0;
  return Math.max(0, (now - before) / seconds);
}

function fmt(n) {
  return Math.round(n).toLocaleString();
}

export class Topology {
  constructor(container) {
    this.container = container;
    this.previous = new Map();
    this.previousAt = 0;
  }

  /** Redraws every query; returns the total records/s into them. */
  update(queries, now) {
    const seconds = this.previousAt ? (now - this.previousAt) / 1000 : 0;
    let total = 0;
    const cards = [];
    for (const query of queries) {
      const before = this.previous.get(query.id);
      const inRate = perSecond(query.recordsIn, before?.recordsIn, seconds);
      const outRate = perSecond(query.recordsOut, before?.recordsOut, seconds);
      total += inRate;
      cards.push(this.card(query, before, seconds, inRate, outRate));
    }
    this.previous = new Map(queries.map((q) => [q.id, q]));
    this.previousAt = now;
    if (cards.length === 0) {
      const empty = document.createElement("div");
      empty.className = "empty-result";
      empty.textContent = "No query is running. Start one from the editor.";
      cards.push(empty);
    }
    this.container.replaceChildren(...cards);
    return total;
  }

  card(query, before, seconds, inRate, outRate) {
    const card = document.createElement("div");
    card.className = "query-card";
    card.dataset.queryId = query.id;
    const title = document.createElement("h2");
    title.textContent = query.id;
    const kind = document.createElement("small");
    kind.textContent = query.kind.toLowerCase();
    title.appendChild(kind);
    const meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = `in ${fmt(query.recordsIn)} (${fmt(inRate)}/s) · out ${fmt(query.recordsOut)} ` +
      `(${fmt(outRate)}/s) · lag ${fmt(query.lag)}`;
    card.append(title, meta, this.graph(query, before, seconds, inRate));
    return card;
  }

  graph(query, before, seconds, inRate) {
    const columns = [];
    columns.push(query.sources.map((s) => ({
      kind: "source", name: s.topic, stat: `lag ${fmt(s.lag)}`,
    })));
    if (query.join) columns.push([{ kind: "op", name: "Join", stat: `${fmt(inRate)} rec/s in` }]);
    query.operators.forEach((op, i) => {
      const was = before?.operators?.[i];
      const rate = perSecond(op.rowsIn, was?.rowsIn, seconds);
      columns.push([{ kind: "op", name: op.name, stat: `${fmt(rate)} rows/s · ${fmt(op.rowsOut)} out` }]);
    });
    columns.push([{ kind: "sink", name: query.sink || "client", stat: query.sink ? "sink topic" : "push query" }]);
    const rows = Math.max(...columns.map((c) => c.length));
    const width = columns.length * (NODE_W + GAP_X);
    const height = rows * (NODE_H + GAP_Y) + GAP_Y;
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, height, role: "img",
      "aria-label": `Topology of ${query.id}` });
    const defs = svg("defs");
    const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5,
      markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
    marker.appendChild(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#94a3b8" }));
    defs.appendChild(marker);
    root.appendChild(defs);
    const centers = columns.map((column, ci) => column.map((_, ri) => {
      const offset = ((rows - column.length) * (NODE_H + GAP_Y)) / 2;
      return [ci * (NODE_W + GAP_X) + GAP_X / 2, GAP_Y + offset + ri * (NODE_H + GAP_Y)];
    }));
    for (let ci = 1; ci < columns.length; ci++) {
      for (const [fx, fy] of centers[ci - 1]) {
        for (const [tx, ty] of centers[ci]) {
          const x1 = fx + NODE_W;
          const y1 = fy + NODE_H / 2;
          const y2 = ty + NODE_H / 2;
          root.appendChild(svg("path", {
            class: "edge",
            d: `M ${x1} ${y1} C ${x1 + GAP_X / 2} ${y1}, ${tx - GAP_X / 2} ${y2}, ${tx - 2} ${y2}`,
          }));
        }
      }
    }
    columns.forEach((column, ci) => column.forEach((node, ri) => {
      const [x, y] = centers[ci][ri];
      const group = svg("g", { class: `node ${node.kind}`, transform: `translate(${x} ${y})` });
      group.appendChild(svg("rect", { width: NODE_W, height: NODE_H, rx: 6 }));
      const name = node.name.length > 22 ? `${node.name.slice(0, 21)}…` : node.name;
      group.appendChild(svg("text", { x: 10, y: 19 }, name));
      group.appendChild(svg("text", { x: 10, y: 36, class: "stat" }, node.stat));
      const tip = svg("title", {}, node.name);
      group.appendChild(tip);
      root.appendChild(group);
    }));
    return root;
  }
}
