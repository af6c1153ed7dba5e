// The editor's text functions, without a browser: statement splitting, the statement at
// the caret, and highlighting. Run by tests/web_console.rs as `node --test`.

import assert from "node:assert/strict";
import { test } from "node:test";

import { highlight, splitStatements, statementAt } from "../js/editor.js";

const SCRIPT = "SELECT 1;\n-- a; comment\nSELECT 'a;b' FROM x;\n\n";

test("statements split at semicolons outside quotes and comments", () => {
  assert.deepEqual(splitStatements(SCRIPT), ["SELECT 1;", "SELECT 'a;b' FROM x;"]);
  assert.deepEqual(splitStatements("SHOW STREAMS"), ["SHOW STREAMS;"]);
  assert.deepEqual(splitStatements("  \n-- only a comment\n"), []);
});

test("the statement at the caret, or the one before it past the last", () => {
  assert.equal(statementAt(SCRIPT, 0), "SELECT 1;");
  assert.equal(statementAt(SCRIPT, 9), "SELECT 1;");
  assert.equal(statementAt(SCRIPT, 10), "SELECT 'a;b' FROM x;");
  assert.equal(statementAt(SCRIPT, SCRIPT.length), "SELECT 'a;b' FROM x;");
  assert.equal(statementAt("", 0), "");
});

test("highlighting marks keywords, strings, numbers, calls and known sources", () => {
  const html = highlight("select count(*) from Orders where note = 'a<b' -- 42", new Set(["ORDERS"]));
  assert.match(html, /<span class="tok-kw">select<\/span>/);
  assert.match(html, /<span class="tok-fn">count<\/span>/);
  assert.match(html, /<span class="tok-source">Orders<\/span>/);
  assert.match(html, /<span class="tok-str">'a&lt;b'<\/span>/);
  assert.match(html, /<span class="tok-comment">-- 42<\/span>/);
  assert.match(highlight("LIMIT 10"), /<span class="tok-num">10<\/span>/);
});
