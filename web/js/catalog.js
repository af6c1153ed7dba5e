// The catalog pane: streams and tables with their columns (from DESCRIBE), topics with
// their partitions, queries with their SQL; filterable. A source opens a query over it in
// the editor, a topic opens the topic browser, a query its pipeline.

import { ksql, typeName } from "./api.js";

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

export class Catalog {
  constructor({ container, filter, onSourceClick, onTopicClick, onQueryClick, onLoaded }) {
    Object.assign(this, { container, filter, onSourceClick, onTopicClick, onQueryClick, onLoaded });
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
          type: typeName(f.schema),
          key: f.type === "KEY",
        })));
      }
    }
    this.data = {
      sources,
      columns,
      topics: topics.topics
        .map((t) => ({ name: t.name, partitions: t.replicaInfo?.length ?? 0 }))
        .sort((a, b) => a.name.localeCompare(b.name)),
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
    const topics = this.data.topics.filter((t) => matches(t.name));
    sections.push(el("h3", { textContent: `Topics (${topics.length})` }));
    if (topics.length === 0) sections.push(el("div", { className: "empty", textContent: "none" }));
    const topicList = el("ul", { className: "links" });
    for (const topic of topics) {
      const link = el("a", { href: "#", title: `Browse the records of ${topic.name}` },
        el("span", { textContent: topic.name }),
        el("small", { textContent: `${topic.partitions} partition${topic.partitions === 1 ? "" : "s"}` }));
      link.addEventListener("click", (e) => {
        e.preventDefault();
        this.onTopicClick(topic.name);
      });
      topicList.append(el("li", {}, link));
    }
    sections.push(topicList);
    const queries = this.data.queries.filter((q) => matches(q.id) || (q.sinks || []).some(matches));
    sections.push(el("h3", { textContent: `Queries (${queries.length})` }));
    if (queries.length === 0) sections.push(el("div", { className: "empty", textContent: "none" }));
    for (const query of queries) {
      const summary = el("summary", {}, query.id, el("small", { textContent: query.state || "" }));
      const pipeline = el("a", { href: "#", textContent: "pipeline" });
      pipeline.addEventListener("click", (e) => {
        e.preventDefault();
        this.onQueryClick(query.id);
      });
      sections.push(el("details", { className: "query" }, summary,
        el("pre", { textContent: query.queryString }), el("ul", {}, el("li", {}, pipeline))));
    }
    this.container.replaceChildren(...sections);
  }
}
