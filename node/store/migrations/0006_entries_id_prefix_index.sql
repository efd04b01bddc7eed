DROP INDEX `entries_id`;--> statement-breakpoint
CREATE INDEX `entries_id_prefix` ON `entries` (substr("id", 1, 16));
