// The REST API as the console uses it: ksqlDB's own endpoints (/ksql, /query-stream,
// /close-query, /info) and the console's two views of the engine (/console/api/...).

/** Thrown for a statement or request the server refused; `message` is ksqlDB's. */
export class ApiError extends Error {
  constructor(message, status, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

async function json(response) {
  const text = await response.text();
  let body;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (!response.ok) {
    const message = (body && body.message) || `${response.status} ${response.statusText}`;
    throw new ApiError(message, response.status, body);
  }
  return body;
}

/** A column's SQL type from ksqlDB's schema JSON: `ARRAY<STRING>`, `DECIMAL(4, 2)`, … */
export function typeName(schema) {
  if (!schema) return "";
  switch (schema.type) {
    case "ARRAY":
      return `ARRAY<${typeName(schema.memberSchema)}>`;
    case "MAP":
      return `MAP<STRING, ${typeName(schema.memberSchema)}>`;
    case "STRUCT":
      return `STRUCT<${(schema.fields || []).map((f) => `${f.name} ${typeName(f.schema)}`).join(", ")}>`;
    case "DECIMAL": {
      const { precision, scale } = schema.parameters || {};
      return precision === undefined ? "DECIMAL" : `DECIMAL(${precision}, ${scale})`;
    }
    default:
      return schema.type;
  }
}

/** Runs statements through /ksql; resolves to ksqlDB's entities. */
export async function ksql(sql, streamsProperties = {}) {
  const response = await fetch("/ksql", {
    method: "POST",
    headers: { "Content-Type": "application/vnd.ksql.v1+json", Accept: "application/vnd.ksql.v1+json" },
    body: JSON.stringify({ ksql: sql, streamsProperties }),
  });
  return json(response);
}

export async function serverInfo() {
  return json(await fetch("/info"));
}

export async function runningQueries() {
  return json(await fetch("/console/api/queries"));
}

export async function topicRecords(topic, limit) {
  return json(await fetch(`/console/api/topics/${encodeURIComponent(topic)}/records?limit=${limit}`));
}

/**
 * Starts a push or pull query on /query-stream (newline-delimited rows) and calls
 * `onHeader(header)`, `onRows(rows)` as rows arrive (several per call when they come
 * together), then `onEnd()` or `onError(error)`. Returns a handle whose `stop()` closes
 * the query on the server and the connection.
 */
export function streamQuery(sql, properties, { onHeader, onRows, onEnd, onError }) {
  const controller = new AbortController();
  let queryId = null;
  let stopped = false;
  (async () => {
    const response = await fetch("/query-stream", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/vnd.ksqlapi.delimited.v1" },
      body: JSON.stringify({ sql, properties }),
      signal: controller.signal,
    });
    if (!response.ok) {
      await json(response);
      return;
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let pending = "";
    let header = null;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      pending += decoder.decode(value, { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop();
      const rows = [];
      for (const line of lines) {
        if (!line.trim()) continue;
        const parsed = JSON.parse(line);
        if (header === null) {
          header = parsed;
          queryId = parsed.queryId;
          onHeader(parsed);
        } else if (Array.isArray(parsed)) {
          rows.push(parsed);
        } else if (parsed && parsed.message) {
          throw new ApiError(parsed.message, 200, parsed);
        }
      }
      if (rows.length > 0) onRows(rows);
    }
    onEnd();
  })().catch((error) => {
    if (stopped && error.name === "AbortError") onEnd();
    else onError(error);
  });
  return {
    async stop() {
      stopped = true;
      if (queryId) {
        await fetch("/close-query", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ queryId }),
        }).catch(() => {});
      }
      controller.abort();
    },
  };
}
