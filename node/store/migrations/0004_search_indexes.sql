-- Narrow covering index for facet counts and filters (catalogue rows hold the whole record, so scans of the table
-- itself are slow), and an index for the default "recent" order.
CREATE INDEX `microcredentials_facets` ON `microcredentials` (`status`, `country`, `author`, `field`, `level_framework`, `level_value`, `participation`, `pilot_area`, `hours`, `languages`);
--> statement-breakpoint
CREATE INDEX `microcredentials_recent` ON `microcredentials` (`status`, `updated_at` DESC, `id`);
--> statement-breakpoint
CREATE INDEX `microcredentials_title` ON `microcredentials` (`status`, `title_sort`, `id`);
