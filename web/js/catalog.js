// The catalog pane: streams, tables, topics and queries, with each source's columns
// (from DESCRIBE), filterable; clicking a source puts a query over it in the editor.

import { ksql } from "./api.js";

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

export class Catalog {
  constructor({ container, filter, onSourceClick, onLoaded }) {
    this.container = container;
    this.filter = filter;
    this.onSourceClick = onSourceClick;
    this.onLoaded = onLoaded;
    this.data = { sources: [], columns: new Map(), topics: [], queries: [] };
    filter.addEventListener("input", () => this.render());
  }

  async refresh() {
    const [streams, tables, topics, queries] = await ksql(
      "SHOW STREAMS; SHOW TABLES; LIST TOPICS; SHOW QUERIES;",
    );
    const sources = [
      ...streams.streams.map((s) => ({ name: s.name, kind: "STREAM", topic: s.topic })),
      ...tables.tables.map((t) => ({ name: t.name, kind: "TABLE", topic: t.topic })),
    ].sort((a, b) => a.name.localeCompare(b.name));
    const columns = new Map();
    if (sources.length > 0) {
      const described = await ksql(sources.map((s) => `DESCRIBE \`${s.name}\`;`).join(" "));
      for (const entity of described) {
        const d = entity.sourceDescription;
        if (!d) continue;
        columns.set(d.name, d.fields.map((f) => ({
          name: f.name,
          type: f.schema.type,
          key: f.type === "KEY",
        })));
      }
    }
    this.data = {
      sources,
      columns,
      topics: topics.topics.map((t) => t.name).sort(),
      queries: queries.queries,
    };
    this.render();
    this.onLoaded(this.data);
  }

  render() {
    const needle = this.filter.value.trim().toUpperCase();
    const matches = (name) => !needle || name.toUpperCase().includes(needle);
    const sections = [];
    for (const kind of ["STREAM", "TABLE"]) {
      const items = this.data.sources.filter((s) => s.kind === kind && matches(s.name));
      sections.push(el("h3", { textContent: `${kind === "STREAM" ? "Streams" : "Tables"} (${items.length})` }));
      if (items.length === 0) sections.push(el("div", { className: "empty", textContent: "none" }));
      for (const source of items) {
        const summary = el("summary", { title: `topic ${source.topic}` }, source.name,
          el("small", { textContent: source.topic }));
        summary.addEventListener("dblclick", () => this.onSourceClick(source));
        const list = el("ul");
        for (const column of this.data.columns.get(source.name) || []) {
          list.append(el("li", {}, el("span", { textContent: column.name }),
            ` ${column.type}${column.key ? " KEY" : ""}`));
        }
        const query = el("li", {}, el("a", { href: "#", textContent: "query it" }));
        query.addEventListener("click", (e) => {
          e.preventDefault();
          this.onSourceClick(source);
        });
        list.append(query);
        const details = el("details", { className: "source" }, summary, list);
        details.dataset.name = source.name;
        sections.push(details);
      }
    }
    const topics = this.data.topics.filter(matches);
    sections.push(el("h3", { textContent: `Topics (${topics.length})` }));
    const topicList = el("ul");
    for (const topic of topics) topicList.append(el("li", {}, el("span", { textContent: topic })));
    sections.push(topicList);
    sections.push(el("h3", { textContent: `Queries (${this.data.queries.length})` }));
    const queryList = el("ul");
    for (const query of this.data.queries) {
      queryList.append(el("li", { title: query.queryString }, el("span", { textContent: query.id }),
        ` ${query.state || ""}`));
    }
    sections.push(queryList);
    this.container.replaceChildren(...sections);
  }
}
