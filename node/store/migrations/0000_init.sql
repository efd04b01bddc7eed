CREATE TABLE `admin_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`hash` text NOT NULL,
	`label` text NOT NULL,
	`created_at` text NOT NULL,
	`revoked_at` text
);
--> statement-breakpoint
CREATE TABLE `documents` (
	`type` text NOT NULL,
	`author` text NOT NULL,
	`key` text NOT NULL,
	`body` text NOT NULL,
	`entry_id` text NOT NULL,
	`ts` text NOT NULL,
	PRIMARY KEY(`type`, `author`, `key`)
);
--> statement-breakpoint
CREATE TABLE `endorsements` (
	`author` text NOT NULL,
	`subject` text NOT NULL,
	`entry_id` text NOT NULL,
	`ts` text NOT NULL,
	`body` text NOT NULL,
	PRIMARY KEY(`author`, `subject`)
);
--> statement-breakpoint
CREATE INDEX `endorsements_subject` ON `endorsements` (`subject`);--> statement-breakpoint
CREATE TABLE `entries` (
	`rowid` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`author` text NOT NULL,
	`seq` integer NOT NULL,
	`prev` text,
	`ts` text NOT NULL,
	`type` text NOT NULL,
	`body` text NOT NULL,
	`sig` text NOT NULL,
	`received_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `entries_id` ON `entries` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `entries_author_seq` ON `entries` (`author`,`seq`);--> statement-breakpoint
CREATE INDEX `entries_type` ON `entries` (`type`);--> statement-breakpoint
CREATE TABLE `equivocations` (
	`rowid` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`author` text NOT NULL,
	`seq` integer NOT NULL,
	`stored_id` text NOT NULL,
	`conflicting_id` text NOT NULL,
	`stored_entry` text NOT NULL,
	`conflicting_entry` text NOT NULL,
	`detected_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `equivocations_pair` ON `equivocations` (`author`,`seq`,`conflicting_id`);--> statement-breakpoint
CREATE TABLE `feeds` (
	`author` text PRIMARY KEY NOT NULL,
	`head_seq` integer NOT NULL,
	`head_id` text NOT NULL,
	`frozen` integer DEFAULT false NOT NULL,
	`frozen_reason` text,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `institutions` (
	`did` text PRIMARY KEY NOT NULL,
	`profile` text NOT NULL,
	`country` text NOT NULL,
	`kind` text NOT NULL,
	`name_es` text,
	`name_en` text,
	`updated_at` text NOT NULL,
	`entry_id` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `issuer_keys` (
	`key_id` text PRIMARY KEY NOT NULL,
	`institution` text NOT NULL,
	`public_key_multibase` text NOT NULL,
	`valid_from` text NOT NULL,
	`published_at` text NOT NULL,
	`entry_id` text NOT NULL,
	`revoked_at` text,
	`revocation_reason` text,
	`revocation_entry_id` text
);
--> statement-breakpoint
CREATE INDEX `issuer_keys_institution` ON `issuer_keys` (`institution`);--> statement-breakpoint
CREATE TABLE `members` (
	`did` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`since` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `microcredential_versions` (
	`id` text NOT NULL,
	`version` integer NOT NULL,
	`record` text NOT NULL,
	`entry_id` text NOT NULL,
	`ts` text NOT NULL,
	PRIMARY KEY(`id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `microcredentials` (
	`id` text PRIMARY KEY NOT NULL,
	`author` text NOT NULL,
	`code` text NOT NULL,
	`version` integer NOT NULL,
	`record` text NOT NULL,
	`status` text NOT NULL,
	`withdrawal` text,
	`title_sort` text NOT NULL,
	`country` text NOT NULL,
	`field` text NOT NULL,
	`level_framework` text NOT NULL,
	`level_value` text NOT NULL,
	`participation` text NOT NULL,
	`hours` real NOT NULL,
	`languages` text NOT NULL,
	`pilot_area` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`entry_id` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `microcredentials_author_code` ON `microcredentials` (`author`,`code`);--> statement-breakpoint
CREATE INDEX `microcredentials_country` ON `microcredentials` (`country`);--> statement-breakpoint
CREATE INDEX `microcredentials_field` ON `microcredentials` (`field`);--> statement-breakpoint
CREATE INDEX `microcredentials_hours` ON `microcredentials` (`hours`);--> statement-breakpoint
CREATE TABLE `status_lists` (
	`list_id` text PRIMARY KEY NOT NULL,
	`author` text NOT NULL,
	`purpose` text NOT NULL,
	`body` text NOT NULL,
	`updated_at` text NOT NULL,
	`entry_id` text NOT NULL
);
