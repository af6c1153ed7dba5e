-- Server metrics monitoring: per-host samples in, one-minute averages, alerts and each
-- host's latest reading out. Run it, then pipe in the generator's events (README.md).
SET 'auto.offset.reset'='earliest';

-- What each host's agent sends every ten seconds; ROWTIME is the sample's own time.
CREATE STREAM metrics (host STRING KEY, cpu DOUBLE, mem DOUBLE, disk DOUBLE, ts BIGINT)
  WITH (KAFKA_TOPIC='metrics', PARTITIONS=1, VALUE_FORMAT='JSON', TIMESTAMP='ts');

-- One-minute averages per host, updated as samples arrive.
CREATE TABLE metrics_per_minute AS
  SELECT host, AVG(cpu) AS avg_cpu, AVG(mem) AS avg_mem, MAX(disk) AS max_disk, COUNT(*) AS samples
  FROM metrics WINDOW TUMBLING (SIZE 1 MINUTE)
  GROUP BY host;

-- An alert for every sample of a host running hot.
CREATE STREAM hot_hosts AS
  SELECT host, cpu, mem, ts FROM metrics WHERE cpu > 90 OR mem > 95;

-- Each host's latest reading: answers pull queries like
--   SELECT * FROM host_latest WHERE host = 'web-1';
CREATE TABLE host_latest AS
  SELECT host, LATEST_BY_OFFSET(cpu) AS cpu, LATEST_BY_OFFSET(mem) AS mem,
         LATEST_BY_OFFSET(disk) AS disk, MAX(ts) AS last_seen
  FROM metrics GROUP BY host;
