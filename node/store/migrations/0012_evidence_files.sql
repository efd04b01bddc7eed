CREATE TABLE `credential_evidence` (
	`credential_id` text NOT NULL,
	`digest` text NOT NULL,
	`name` text NOT NULL,
	PRIMARY KEY(`credential_id`, `digest`)
);
--> statement-breakpoint
CREATE INDEX `credential_evidence_digest` ON `credential_evidence` (`digest`);--> statement-breakpoint
CREATE TABLE `evidence_files` (
	`digest` text PRIMARY KEY NOT NULL,
	`media_type` text NOT NULL,
	`size` integer NOT NULL,
	`content` blob NOT NULL,
	`created_at` text NOT NULL
);
