// The topic browser: a topic's newest records, newest first, with timestamp, partition,
// offset, key and value; refreshed on demand, or every second while following and shown.

import { topicRecords } from "./api.js";
import { table } from "./results.js";

export class Topics {
  constructor({ select, limit, refresh, follow, container, onError }) {
    Object.assign(this, { select, limit, container, follow, onError });
    this.timer = null;
    /** Numbers each load, so an answer that a later load overtook is dropped. */
    this.loads = 0;
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

  /** Shows `topic`'s records. */
  show(topic) {
    this.select.value = topic;
    this.load();
  }

  setFollow(on) {
    if (this.timer) clearInterval(this.timer);
    this.timer = on ? setInterval(() => {
      if (this.container.offsetParent !== null) this.load();
    }, 1000) : null;
  }

  async load() {
    const topic = this.select.value;
    if (!topic) return;
    const load = ++this.loads;
    try {
      const records = await topicRecords(topic, Number(this.limit.value) || 50);
      if (load !== this.loads) return;
      const rows = records.reverse().map((r) => [shownTime(r.timestamp), r.partition, r.offset,
        r.key, r.value]);
      this.container.replaceChildren(rows.length === 0
        ? Object.assign(document.createElement("div"), { className: "empty-result",
          textContent: `${topic} holds no records.` })
        : table(["timestamp (UTC)", "partition", "offset", "key", "value"], null, rows));
    } catch (error) {
      this.onError(error);
    }
  }
}

/** Milliseconds since the epoch as `2026-12-04 04:53:21.355`. */
function shownTime(millis) {
  return new Date(millis).toISOString().replace("T", " ").replace("Z", "");
}
