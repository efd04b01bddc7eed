-- Indexes on search_rows (0011) for each order a search offers, so a search without text reads
-- the narrow rows through an index instead of the catalogue rows that hold whole records (a sort by hours read and
-- sorted every whole record: ~0.5 s at 100,000). Every order ends with the global id, so ties are broken the same
-- way on every node. No data to move: CREATE INDEX reads search_rows once (about 1 s per 100,000 rows).
CREATE INDEX `search_rows_recent` ON `search_rows` (`status`, `updated_at` DESC, `id`);
--> statement-breakpoint
CREATE INDEX `search_rows_title` ON `search_rows` (`status`, `title_sort`, `id`);
--> statement-breakpoint
CREATE INDEX `search_rows_hours` ON `search_rows` (`status`, `hours`, `title_sort`, `id`);
--> statement-breakpoint
-- The catalogue-row order indexes of 0004 served the search alone, which now orders search_rows (its covering
-- facets index stays: counts without text read it).
DROP INDEX IF EXISTS `microcredentials_recent`;
--> statement-breakpoint
DROP INDEX IF EXISTS `microcredentials_title`;
