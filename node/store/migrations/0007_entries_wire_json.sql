-- Edited by hand (drizzle-kit cannot derive the new columns): id_key = the id's first 13 hex characters as an
-- integer; entry = the whole signed entry as JSON, assembled from the old columns (the body was already canonical).
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_entries` (
	`rowid` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`id_key` integer NOT NULL,
	`author` text NOT NULL,
	`seq` integer NOT NULL,
	`type` text NOT NULL,
	`entry` text NOT NULL,
	`received_at` text NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_entries`("rowid", "id", "id_key", "author", "seq", "type", "entry", "received_at") SELECT "rowid", "id", ((instr('0123456789abcdef', substr("id", 1, 1)) - 1) * 281474976710656 + (instr('0123456789abcdef', substr("id", 2, 1)) - 1) * 17592186044416 + (instr('0123456789abcdef', substr("id", 3, 1)) - 1) * 1099511627776 + (instr('0123456789abcdef', substr("id", 4, 1)) - 1) * 68719476736 + (instr('0123456789abcdef', substr("id", 5, 1)) - 1) * 4294967296 + (instr('0123456789abcdef', substr("id", 6, 1)) - 1) * 268435456 + (instr('0123456789abcdef', substr("id", 7, 1)) - 1) * 16777216 + (instr('0123456789abcdef', substr("id", 8, 1)) - 1) * 1048576 + (instr('0123456789abcdef', substr("id", 9, 1)) - 1) * 65536 + (instr('0123456789abcdef', substr("id", 10, 1)) - 1) * 4096 + (instr('0123456789abcdef', substr("id", 11, 1)) - 1) * 256 + (instr('0123456789abcdef', substr("id", 12, 1)) - 1) * 16 + (instr('0123456789abcdef', substr("id", 13, 1)) - 1) * 1), "author", "seq", "type", '{"v":1,"net":' || json_quote(coalesce((SELECT "value" FROM `meta` WHERE "key" = 'network'), '')) || ',"author":' || json_quote("author") || ',"seq":' || "seq" || ',"prev":' || json_quote("prev") || ',"ts":' || json_quote("ts") || ',"type":' || json_quote("type") || ',"body":' || "body" || ',"sig":' || json_quote("sig") || ',"id":' || json_quote("id") || '}', "received_at" FROM `entries`;--> statement-breakpoint
DROP TABLE `entries`;--> statement-breakpoint
ALTER TABLE `__new_entries` RENAME TO `entries`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `entries_id_key` ON `entries` (`id_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `entries_author_seq` ON `entries` (`author`,`seq`);