CREATE TABLE `issued_credentials` (
	`id` text PRIMARY KEY NOT NULL,
	`microcredential_id` text NOT NULL,
	`microcredential_version` integer NOT NULL,
	`learner_name` text NOT NULL,
	`learner_key` text NOT NULL,
	`dedupe_key` text NOT NULL,
	`credential` text NOT NULL,
	`issuer_key` text NOT NULL,
	`issued_at` text NOT NULL,
	`revocation_list` text NOT NULL,
	`revocation_index` integer NOT NULL,
	`suspension_list` text,
	`suspension_index` integer,
	`revoked_at` text,
	`suspended_at` text,
	`reason` text,
	`job_id` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `issued_credentials_dedupe` ON `issued_credentials` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `issued_credentials_mc` ON `issued_credentials` (`microcredential_id`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`total` integer NOT NULL,
	`done` integer NOT NULL,
	`result` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `status_list_state` (
	`list_id` text PRIMARY KEY NOT NULL,
	`purpose` text NOT NULL,
	`size` integer NOT NULL,
	`next_index` integer NOT NULL,
	`encoded_list` text NOT NULL,
	`dirty` integer DEFAULT false NOT NULL,
	`updated_at` text NOT NULL
);
