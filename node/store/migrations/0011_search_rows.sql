-- Narrow copy of the catalogue columns that search filters, sorts and counts on, keyed by the catalogue row's rowid
-- (which its FTS row shares): a full-text match joins this table instead of the catalogue rows, which hold the whole
-- record (kilobytes each), so counting or ranking thousands of matches reads ~150 bytes per match. Maintained by
-- triggers on `microcredentials` (no projector writes it); filled here from the rows already projected.
CREATE TABLE `search_rows` (
	`rid` integer PRIMARY KEY,
	`id` text NOT NULL,
	`status` text NOT NULL,
	`country` text NOT NULL,
	`author` text NOT NULL,
	`field` text NOT NULL,
	`level_framework` text NOT NULL,
	`level_value` text NOT NULL,
	`participation` text NOT NULL,
	`pilot_area` text,
	`hours` real NOT NULL,
	`languages` text NOT NULL,
	`title_sort` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
INSERT INTO `search_rows` SELECT rowid, id, status, country, author, field, level_framework, level_value, participation, pilot_area, hours, languages, title_sort, updated_at FROM `microcredentials`;
--> statement-breakpoint
CREATE TRIGGER `search_rows_insert` AFTER INSERT ON `microcredentials` BEGIN
  INSERT OR REPLACE INTO `search_rows` VALUES (new.rowid, new.id, new.status, new.country, new.author, new.field, new.level_framework, new.level_value, new.participation, new.pilot_area, new.hours, new.languages, new.title_sort, new.updated_at);
END;
--> statement-breakpoint
CREATE TRIGGER `search_rows_update` AFTER UPDATE ON `microcredentials` BEGIN
  DELETE FROM `search_rows` WHERE rid = old.rowid;
  INSERT OR REPLACE INTO `search_rows` VALUES (new.rowid, new.id, new.status, new.country, new.author, new.field, new.level_framework, new.level_value, new.participation, new.pilot_area, new.hours, new.languages, new.title_sort, new.updated_at);
END;
--> statement-breakpoint
CREATE TRIGGER `search_rows_delete` AFTER DELETE ON `microcredentials` BEGIN
  DELETE FROM `search_rows` WHERE rid = old.rowid;
END;
