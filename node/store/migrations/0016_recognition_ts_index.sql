-- A page of all the network's recognition decisions, newest first (GET /api/v1/recognitions without a filter), read in
-- order from this index (node/recognition/recognition.service.ts names it with INDEXED BY): without ANALYZE
-- statistics SQLite otherwise chose the primary key and sorted every decision. (IF NOT EXISTS: a database migrated
-- from this tree for a few minutes had it from 0015.)
CREATE INDEX IF NOT EXISTS `documents_recognition_ts` ON `documents` (`ts`, `entry_id`) WHERE `type` = 'recognition';
