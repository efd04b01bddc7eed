CREATE TABLE `credential_claims` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`credential_id` text NOT NULL,
	`created_at` text NOT NULL,
	`revoked_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `credential_claims_token` ON `credential_claims` (`token_hash`);--> statement-breakpoint
CREATE INDEX `credential_claims_credential` ON `credential_claims` (`credential_id`);--> statement-breakpoint
CREATE TABLE `credential_shares` (
	`credential_id` text PRIMARY KEY NOT NULL,
	`share_id` text NOT NULL,
	`published` integer DEFAULT false NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `credential_shares_share_id` ON `credential_shares` (`share_id`);--> statement-breakpoint
CREATE TABLE `mail_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`credential_id` text NOT NULL,
	`claim_id` text NOT NULL,
	`email` text NOT NULL,
	`language` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` text,
	`last_error` text,
	`message_id` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`sent_at` text
);
--> statement-breakpoint
CREATE INDEX `mail_deliveries_due` ON `mail_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `mail_deliveries_credential` ON `mail_deliveries` (`credential_id`);