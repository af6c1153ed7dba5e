// The topic browser: a topic's newest records with partition, offset, timestamp, key and
// value, refreshed on demand or every second while following.

import { topicRecords } from "./api.js";
import { table } from "./results.js";

export class Topics {
  constructor({ select, limit, refresh, follow, container, onError }) {
    Object.assign(this, { select, limit, container, follow, onError });
    this.timer = null;
    refresh.addEventListener("click", () => this.load());
    select.addEventListener("change", () => this.load());
    follow.addEventListener("change", () => this.setFollow(follow.checked));
  }

  setTopics(topics) {
    const current = this.select.value;
    this.select.replaceChildren(...topics.map((t) => Object.assign(document.createElement("option"),
      { value: t, textContent: t })));
    if (topics.includes(current)) this.select.value = current;
  }

  setFollow(on) {
    if (this.timer) clearInterval(this.timer);
    this.timer = on ? setInterval(() => this.load(), 1000) : null;
  }

  async load() {
    const topic = this.select.value;
    if (!topic) return;
    try {
      const records = await topicRecords(topic, Number(this.limit.value) || 50);
      const rows = records.map((r) => [r.partition, r.offset, new Date(r.timestamp).toISOString(),
        r.key, r.value]);
      this.container.replaceChildren(rows.length === 0
        ? Object.assign(document.createElement("div"), { className: "empty-result",
          textContent: `${topic} holds no records.` })
        : table(["partition", "offset", "timestamp", "key", "value"], null, rows));
    } catch (error) {
      this.onError(error);
    }
  }
}
