-- Clickstream sessionization: page views in, one row per user session out. A session is
-- a user's run of clicks with no pause longer than 30 minutes. Run it, then pipe in the
-- generator's events (README.md).
SET 'auto.offset.reset'='earliest';

-- What the site's tracker sends for every page view; ROWTIME is the click's own time.
CREATE STREAM clicks (user_id STRING KEY, page STRING, action STRING, ts BIGINT)
  WITH (KAFKA_TOPIC='clicks', PARTITIONS=1, VALUE_FORMAT='JSON', TIMESTAMP='ts');

-- Every session as it grows: clicks, distinct pages, where it started and ended, and
-- whether it bought something. Two sessions of a user merge when a click bridges them.
-- Pull queries read it by user: SELECT * FROM user_sessions WHERE user_id = 'user-3';
CREATE TABLE user_sessions AS
  SELECT user_id,
         COUNT(*) AS clicks,
         COUNT_DISTINCT(page) AS pages,
         EARLIEST_BY_OFFSET(page) AS landing_page,
         LATEST_BY_OFFSET(page) AS exit_page,
         SUM(CASE WHEN action = 'purchase' THEN 1 ELSE 0 END) AS purchases
  FROM clicks WINDOW SESSION (30 MINUTES)
  GROUP BY user_id
  EMIT CHANGES;

-- Sessions once they are over (30 minutes without a click, and no grace for late
-- clicks): one final row each, for reports that must not see a session twice.
CREATE TABLE finished_sessions AS
  SELECT user_id, COUNT(*) AS clicks, LATEST_BY_OFFSET(page) AS exit_page
  FROM clicks WINDOW SESSION (30 MINUTES, GRACE PERIOD 0 MINUTES)
  GROUP BY user_id
  EMIT FINAL;
