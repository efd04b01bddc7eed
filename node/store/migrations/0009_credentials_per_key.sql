DROP INDEX `issued_credentials_dedupe`;--> statement-breakpoint
ALTER TABLE `issued_credentials` ADD `replaced_by` text;--> statement-breakpoint
CREATE UNIQUE INDEX `issued_credentials_dedupe_in_force` ON `issued_credentials` (`dedupe_key`) WHERE revoked_at IS NULL;--> statement-breakpoint
CREATE INDEX `issued_credentials_key` ON `issued_credentials` (`issuer_key`,`issued_at`);--> statement-breakpoint
CREATE INDEX `issued_credentials_dedupe` ON `issued_credentials` (`dedupe_key`);--> statement-breakpoint
ALTER TABLE `status_list_state` ADD `issuer_key` text;--> statement-breakpoint
-- Edited by hand: a list of a database written before lists were per issuer key belongs to the key of its first
-- credential (lists without credentials stay NULL and are taken by the current key when it next needs a list).
UPDATE `status_list_state` SET `issuer_key` = (
  SELECT c.`issuer_key` FROM `issued_credentials` c
  WHERE substr(c.`revocation_list`, 1, length(`status_list_state`.`list_id`) + 1) = `status_list_state`.`list_id` || '.'
     OR substr(c.`suspension_list`, 1, length(`status_list_state`.`list_id`) + 1) = `status_list_state`.`list_id` || '.'
  ORDER BY c.`issued_at`, c.`id` LIMIT 1
);--> statement-breakpoint
CREATE INDEX `status_list_state_key` ON `status_list_state` (`issuer_key`, `purpose`);
